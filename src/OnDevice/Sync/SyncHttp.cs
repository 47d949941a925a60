using System.Net;
using System.Text.Json;

namespace OnDeviceReco.Sync;

/// <summary>
/// HTTP with the sync protocol's retry rules: each attempt bounded by a timeout, transient failures (network,
/// timeout, 408/429/5xx) retried with jittered backoff or after the server's Retry-After, permanent 4xx
/// returned at once with the server's ProblemDetails text. Response bodies are read up to a limit.
/// </summary>
internal sealed class SyncHttp : IDisposable
{
    // Room for the list of refused sequence ids an "Invalid event" answer carries (up to 1,000).
    private const int MaxProblemBytes = 64 * 1024;
    private const int MaxListedSequences = 10_000;
    private readonly HttpClient _http;
    private readonly SyncOptions _options;
    private readonly Uri[] _servers;
    private int _current;
    private int _attempts;

    public SyncHttp(SyncOptions options)
    {
        _options = options;
        _http = options.Handler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.None });
        _servers = [options.ServerUri, .. options.AlternateServerUris];
        _http.Timeout = Timeout.InfiniteTimeSpan; // per attempt instead, below
    }

    /// <summary>The address requests go to now (the last one that answered, or the next after one that failed).</summary>
    public Uri CurrentServer => _servers[Volatile.Read(ref _current) % _servers.Length];

    /// <summary>Attempts made so far (all requests).</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public async Task<HttpOutcome> SendAsync(Func<HttpRequestMessage> createRequest, long maxResponseBytes, CancellationToken cancellationToken)
    {
        HttpOutcome last = HttpOutcome.Transient("no attempt made");
        for (int attempt = 0; attempt < _options.MaxAttempts; attempt++)
        {
            Interlocked.Increment(ref _attempts);
            TimeSpan? retryAfter = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    using var request = createRequest();
                    request.RequestUri = new Uri(CurrentServer, request.RequestUri!);
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    int status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        var body = await ReadBoundedAsync(response.Content, maxResponseBytes, timeout.Token).ConfigureAwait(false);
                        return body is null
                            ? HttpOutcome.Refused($"The response exceeds {maxResponseBytes} bytes.", status)
                            : HttpOutcome.Ok(status, body);
                    }
                    retryAfter = RetryPolicy.RetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
                    var problem = await ProblemAsync(response, timeout.Token).ConfigureAwait(false);
                    if (!RetryPolicy.IsTransient(response.StatusCode))
                    {
                        return HttpOutcome.Refused(problem.Detail, status, problem.InvalidSequences);
                    }
                    last = HttpOutcome.Transient(problem.Detail, status, retryAfter);
                    if (status >= 500)
                    {
                        FailOver();
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    last = HttpOutcome.Transient($"No answer within {_options.RequestTimeout.TotalSeconds:0.#} s.");
                    FailOver();
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    last = HttpOutcome.Transient(e.Message);
                    FailOver();
                }
            }
            if (attempt == _options.MaxAttempts - 1)
            {
                break;
            }
            if (retryAfter > _options.MaxBackoff)
            {
                // The server wants a long pause: end this sync and let the next one (or the schedule) honour it.
                return last;
            }
            await Task.Delay(retryAfter ?? RetryPolicy.Backoff(attempt, _options.InitialBackoff, _options.MaxBackoff), cancellationToken).ConfigureAwait(false);
        }
        return last;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The next attempt goes to the next address (429 does not count: that is this device's own rate).</summary>
    private void FailOver() => Interlocked.Increment(ref _current);

    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > limit)
        {
            return null;
        }
        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream(content.Headers.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// The ProblemDetails "detail" (or title) of an error response, else the status line; and the sequence ids of
    /// refused events when the server listed them ("invalidSequences").
    /// </summary>
    private static async Task<(string Detail, IReadOnlyList<long> InvalidSequences)> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string fallback = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            var body = await ReadBoundedAsync(response.Content, MaxProblemBytes, cancellationToken).ConfigureAwait(false);
            if (body is null || body.Length == 0)
            {
                return (fallback, []);
            }
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (fallback, []);
            }
            string detail = fallback;
            foreach (string field in (string[])["detail", "title"])
            {
                if (root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    detail = $"{fallback}: {value.GetString()}";
                    break;
                }
            }
            return (detail, InvalidSequences(root));
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
        {
            return (fallback, []);
        }
    }

    private static List<long> InvalidSequences(JsonElement problem)
    {
        var sequences = new List<long>();
        if (problem.TryGetProperty("invalidSequences", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (sequences.Count == MaxListedSequences)
                {
                    break;
                }
                if (item.ValueKind == JsonValueKind.Number && item.TryGetInt64(out long sequence) && sequence > 0)
                {
                    sequences.Add(sequence);
                }
            }
        }
        return sequences;
    }
}
