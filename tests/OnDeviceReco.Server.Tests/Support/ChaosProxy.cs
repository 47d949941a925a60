using OnDeviceReco.Server.Hosting;
using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OnDeviceReco.Server.Tests.Support;

/// <summary>What the proxy does to one request.</summary>
public enum Fault
{
    /// <summary>Forward and relay the server's answer.</summary>
    Pass,
    /// <summary>Answer 500 without forwarding: the server never saw it.</summary>
    Error500BeforeForward,
    /// <summary>Forward (the server stores it), then answer 500: the acknowledgement is lost.</summary>
    AckLost500,
    /// <summary>Forward (the server stores it), then hold the answer longer than the device waits.</summary>
    SlowResponse,
    /// <summary>Read part of the upload, then reset the connection: the server never saw it.</summary>
    ResetMidUpload,
    /// <summary>Forward the same request twice, one after the other, and relay the second answer.</summary>
    DuplicateDelivery,
    /// <summary>Forward the same request twice at the same time and relay the first answer.</summary>
    DuplicateConcurrent,
    /// <summary>Answer 429 with Retry-After: 1 without forwarding.</summary>
    TooManyRequests429,
    /// <summary>Answer 503 without forwarding (no Retry-After).</summary>
    Unavailable503,
    /// <summary>Close the connection without reading or answering: the server is down.</summary>
    Drop,
    /// <summary>Forward (the server stores it), then hold the answer until <see cref="ChaosProxy.ReleaseHolds"/> or the client goes away.</summary>
    HoldAfterForward,
    /// <summary>Read the upload, then hold without forwarding until the client goes away: the server never sees it.</summary>
    HoldBeforeForward,
    /// <summary>Forward (the server stores it), then send the headers and half the answer and reset the connection.</summary>
    TruncatedAnswer,
    /// <summary>Forward (the server stores it), then answer 200 with bytes that are not an acknowledgement (a captive portal, a broken middlebox).</summary>
    GarbledAnswer,
    /// <summary>Forward (the server stores it), then answer 200 with an earlier acknowledgement of another batch.</summary>
    StaleAnswer,
    /// <summary>Answer 404 without forwarding: an older server that has no such endpoint.</summary>
    NotFound404,
}

/// <summary>One request through the proxy and what happened to it.</summary>
public sealed record ProxyRecord(int Index, DateTimeOffset At, string Method, string Path, string? DeviceId, Fault Fault,
    int Forwarded, int? UpstreamStatus, int BodyBytes);

/// <summary>
/// A second tiny Kestrel app on 127.0.0.1:0 between devices and the server. Requests the <see cref="Targets"/>
/// predicate selects (POST /v1/events by default) take the next scripted fault from a queue, else the
/// <see cref="Chooser"/>'s, else pass; every other request is forwarded untouched. Everything is logged.
/// </summary>
public sealed class ChaosProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Expect", "Upgrade", "Proxy-Connection", "TE", "Trailer",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private readonly ConcurrentQueue<Fault> _script = new();
    private readonly ConcurrentQueue<ProxyRecord> _log = new();
    private readonly Channel<ProxyRecord> _holds = Channel.CreateUnbounded<ProxyRecord>();
    private readonly CancellationTokenSource _lifetime = new();
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _index;
    private Upstream? _lastAck;

    private ChaosProxy(WebApplication app, Uri target)
    {
        _app = app;
        _target = target;
        _upstream = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>How long <see cref="Fault.SlowResponse"/> holds the answer (longer than the device's RequestTimeout).</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Which requests faults apply to; default POST /v1/events.</summary>
    public Func<HttpRequest, bool> Targets { get; set; } = request => request.Method == "POST" && request.Path == "/v1/events";

    /// <summary>Fault for a targeted request when the script is empty; null passes.</summary>
    public Func<ProxyRecord, Fault>? Chooser { get; set; }

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<ProxyRecord> Log => _log.OrderBy(r => r.Index).ToList();

    /// <summary>Requests to /v1/events so far.</summary>
    public IReadOnlyList<ProxyRecord> EventRequests => Log.Where(r => r.Path == "/v1/events").ToList();

    public static async Task<ChaosProxy> StartAsync(Uri target)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var proxy = new ChaosProxy(app, target);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        proxy.Address = app.ListeningAddress();
        return proxy;
    }

    /// <summary>Faults for the next targeted requests, in order.</summary>
    public void Enqueue(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _script.Enqueue(fault);
        }
    }

    /// <summary>Scripted faults not used yet.</summary>
    public int Pending => _script.Count;

    /// <summary>Completes when a request reaches a hold (after forwarding or before), with its record.</summary>
    public async Task<ProxyRecord> WaitForHoldAsync(TimeSpan timeout) => await _holds.Reader.ReadAsync().AsTask().WaitAsync(timeout);

    /// <summary>Lets every held request answer (HoldAfterForward relays the server's answer).</summary>
    public void ReleaseHolds() => Interlocked.Exchange(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        int index = Interlocked.Increment(ref _index);
        string? deviceId = request.Headers["X-Device-Id"].ToString() is { Length: > 0 } d ? d : null;
        var record = new ProxyRecord(index, DateTimeOffset.UtcNow, request.Method, request.Path.Value ?? "", deviceId, Fault.Pass, 0, null,
            (int)(request.ContentLength ?? 0));
        var fault = Fault.Pass;
        if (Targets(request))
        {
            fault = _script.TryDequeue(out var scripted) ? scripted : Chooser?.Invoke(record) ?? Fault.Pass;
        }
        record = record with { Fault = fault };
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _lifetime.Token);
        try
        {
            switch (fault)
            {
                case Fault.Drop:
                    _log.Enqueue(record);
                    http.Abort();
                    return;
                case Fault.ResetMidUpload:
                {
                    int length = (int)(request.ContentLength ?? 2);
                    var part = new byte[Math.Max(1, length / 2)];
                    int read = await request.Body.ReadAsync(part, aborted.Token);
                    _log.Enqueue(record with { BodyBytes = read });
                    http.Abort();
                    return;
                }
                case Fault.Error500BeforeForward:
                    _log.Enqueue(record);
                    await ProblemAsync(http, 500, "Injected failure before forwarding", null);
                    return;
                case Fault.TooManyRequests429:
                    _log.Enqueue(record);
                    await ProblemAsync(http, 429, "Injected throttling", "1");
                    return;
                case Fault.Unavailable503:
                    _log.Enqueue(record);
                    await ProblemAsync(http, 503, "Injected unavailability", null);
                    return;
                case Fault.NotFound404:
                    _log.Enqueue(record);
                    await ProblemAsync(http, 404, "No such endpoint on this (older) server", null);
                    return;
            }

            byte[] body = await ReadAllAsync(request.Body, aborted.Token);
            if (fault == Fault.HoldBeforeForward)
            {
                _log.Enqueue(record);
                _holds.Writer.TryWrite(record);
                await WaitQuietly(Task.Delay(Timeout.Infinite, aborted.Token));
                return;
            }
            // The forward itself runs to the end whatever the device does: the bytes reached the server.
            Upstream answer;
            int forwarded;
            switch (fault)
            {
                case Fault.DuplicateDelivery:
                    await ForwardAsync(http, body);
                    answer = await ForwardAsync(http, body);
                    forwarded = 2;
                    break;
                case Fault.DuplicateConcurrent:
                {
                    var both = await Task.WhenAll(ForwardAsync(http, body), ForwardAsync(http, body));
                    answer = both[0];
                    forwarded = 2;
                    break;
                }
                default:
                    answer = await ForwardAsync(http, body);
                    forwarded = 1;
                    break;
            }
            record = record with { Forwarded = forwarded, UpstreamStatus = answer.Status };
            _log.Enqueue(record);
            var previousAck = _lastAck;
            if (answer.Status == 200 && request.Path == "/v1/events")
            {
                _lastAck = answer;
            }
            switch (fault)
            {
                case Fault.TruncatedAnswer:
                    http.Response.StatusCode = answer.Status;
                    http.Response.ContentType = "application/x-msgpack";
                    http.Response.ContentLength = answer.Body.Length;
                    await http.Response.Body.WriteAsync(answer.Body.AsMemory(0, answer.Body.Length / 2), aborted.Token);
                    await http.Response.Body.FlushAsync(aborted.Token);
                    http.Abort();
                    return;
                case Fault.GarbledAnswer:
                    http.Response.StatusCode = 200;
                    http.Response.ContentType = "text/html";
                    await http.Response.WriteAsync("<html><body>Please log in to the hotel Wi-Fi</body></html>", aborted.Token);
                    return;
                case Fault.StaleAnswer:
                    await RelayAsync(http, previousAck ?? throw new InvalidOperationException("StaleAnswer needs an earlier acknowledgement."),
                        aborted.Token);
                    return;
                case Fault.AckLost500:
                    await ProblemAsync(http, 500, "Injected failure after forwarding (acknowledgement lost)", null);
                    return;
                case Fault.SlowResponse:
                    if (!await WaitQuietly(Task.Delay(SlowDelay, aborted.Token)))
                    {
                        return; // the device gave up; nobody to answer
                    }
                    break;
                case Fault.HoldAfterForward:
                    var release = Volatile.Read(ref _release).Task; // before signalling, so a release right after the signal is seen
                    _holds.Writer.TryWrite(record);
                    if (!await WaitQuietly(release.WaitAsync(aborted.Token)))
                    {
                        return;
                    }
                    break;
            }
            await RelayAsync(http, answer, aborted.Token);
        }
        catch (HttpRequestException e)
        {
            // The server behind the proxy is down: a gateway answers 502.
            _log.Enqueue(record with { UpstreamStatus = 502 });
            if (!http.Response.HasStarted && !aborted.IsCancellationRequested)
            {
                await ProblemAsync(http, 502, "Upstream unreachable: " + e.Message, null);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The device went away mid-request (or the proxy is stopping): nothing to answer.
        }
    }

    private static async Task<bool> WaitQuietly(Task wait)
    {
        try
        {
            await wait;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record Upstream(int Status, List<KeyValuePair<string, string[]>> Headers, byte[] Body);

    private async Task<Upstream> ForwardAsync(HttpContext http, byte[] body)
    {
        var request = http.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path.Value + request.QueryString.Value));
        if (body.Length > 0 || request.ContentLength is not null)
        {
            message.Content = new ByteArrayContent(body);
        }
        foreach (var header in request.Headers)
        {
            if (HopByHop.Contains(header.Key))
            {
                continue;
            }
            if (header.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
            else
            {
                message.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }
        using var response = await _upstream.SendAsync(message, _lifetime.Token);
        byte[] answer = await response.Content.ReadAsByteArrayAsync(_lifetime.Token);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => !HopByHop.Contains(h.Key) && h.Key is not ("Date" or "Server"))
            .Select(h => new KeyValuePair<string, string[]>(h.Key, h.Value.ToArray()))
            .ToList();
        return new Upstream((int)response.StatusCode, headers, answer);
    }

    private static async Task RelayAsync(HttpContext http, Upstream answer, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = answer.Status;
        foreach (var (name, values) in answer.Headers)
        {
            http.Response.Headers[name] = values;
        }
        http.Response.ContentLength = answer.Body.Length;
        await http.Response.Body.WriteAsync(answer.Body, cancellationToken);
    }

    private static async Task ProblemAsync(HttpContext http, int status, string title, string? retryAfter)
    {
        http.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            http.Response.Headers.RetryAfter = retryAfter;
        }
        await http.Response.WriteAsJsonAsync(new { title, status, detail = "chaos proxy" }, (System.Text.Json.JsonSerializerOptions?)null,
            "application/problem+json", http.RequestAborted);
    }

    private static async Task<byte[]> ReadAllAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        ReleaseHolds();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
        _lifetime.Dispose();
    }
}
