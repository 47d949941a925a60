using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnDeviceReco.Feedback;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Server.Privacy;

namespace OnDeviceReco.Server.Tests.Support;

/// <summary>One event as the server stored it (read straight from feedback.db): device and user are the stored pseudonyms.</summary>
public readonly record struct ServerEvent(string DeviceId, long Sequence, string ItemId, string UserId, int Type);

/// <summary>
/// The real server (RecoServer.Build) in this process on a loopback port, retraining off, with its own data
/// directory; read like an operator would (admin stats) and like an auditor would (the SQLite file itself).
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    public const string ApiKey = "test-app-key";
    public const string AdminKey = "test-admin-key";
    private readonly WebApplication _app;
    private readonly TempDirectory? _ownedDirectory;
    private bool _stopped;

    static ServerHost() => SQLitePCL.Batteries_V2.Init();

    private ServerHost(WebApplication app, ServerOptions options, Uri address, TempDirectory? ownedDirectory)
    {
        _app = app;
        Options = options;
        Address = address;
        _ownedDirectory = ownedDirectory;
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public ServerOptions Options { get; }

    /// <summary>The server's services (its registry, experiments), for tests that set up what an operator or a trainer would.</summary>
    public IServiceProvider Services => _app.Services;

    public string DataDirectory => Options.DataDirectory;

    /// <summary>The public key the server signs models with (PEM), which its devices must trust.</summary>
    public Task<string> ModelKeyAsync() => File.ReadAllTextAsync(Path.Combine(DataDirectory, "signing-key.pem.pub"));

    /// <summary>The name the server's store holds <paramref name="deviceId"/> under (its keyed pseudonym), as an auditor with the server's key finds it.</summary>
    public string StoredDevice(string deviceId) => _app.Services.GetRequiredService<IdPseudonyms>().Device(deviceId);

    /// <summary>The name the server's store holds the user <paramref name="userId"/> of <paramref name="deviceId"/> under.</summary>
    public string StoredUser(string deviceId, string userId) => _app.Services.GetRequiredService<IdPseudonyms>().User(deviceId, userId);

    /// <summary>A plain client on the server's address with no default headers.</summary>
    public HttpClient Http { get; }

    /// <summary>
    /// Starts a server. <paramref name="port"/> 0 picks a free one; <paramref name="dataDirectory"/> null uses a fresh
    /// temp directory; <paramref name="clock"/> replaces the server's clock; <paramref name="logs"/> receives every log line.
    /// </summary>
    public static async Task<ServerHost> StartAsync(Action<ServerOptions>? configure = null, int port = 0, string? dataDirectory = null,
        TimeProvider? clock = null, LogCapture? logs = null)
    {
        var owned = dataDirectory is null ? new TempDirectory() : null;
        var options = new ServerOptions
        {
            DataDirectory = dataDirectory ?? owned!.Path,
            Urls = $"http://127.0.0.1:{port}",
            ApiKeys = [ApiKey],
            AdminKey = AdminKey,
            // Tests make many requests per device in little time; the rate-limit test lowers these.
            DeviceRequestsPerSecond = 10_000,
            DeviceRequestBurst = 10_000,
            RegistrationsPerAddressPerMinute = 100_000,
            RegistrationBurstPerAddress = 100_000,
            RegistrationsPerSecond = 100_000,
            Retraining = new RetrainingOptions { Enabled = false },
            // Tests of other features count exactly on a handful of devices; the privacy tests set k and the noise themselves.
            Privacy = new PrivacyOptions { MinDevices = 1, NoiseScale = 0 },
            // Tests that publish a second version expect it to serve at once; experiment tests set a share.
            Experiments = new OnDeviceReco.Server.Experiments.ExperimentOptions { NewVersionShare = 0 },
        };
        configure?.Invoke(options);
        var app = RecoServer.Build(options, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (logs is not null)
            {
                builder.Logging.SetMinimumLevel(LogLevel.Trace);
                builder.Logging.AddProvider(logs);
            }
            if (clock is not null)
            {
                builder.Services.AddSingleton(clock);
            }
        });
        await app.StartAsync();
        var address = app.ListeningAddress();
        return new ServerHost(app, options, address, owned);
    }

    /// <summary>GET /v1/admin/stats.</summary>
    public async Task<ServerStats> StatsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/admin/stats");
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ServerStats>())!;
    }

    /// <summary>Polls <see cref="StatsAsync"/> every 200 ms until <paramref name="done"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<ServerStats> WaitForStatsAsync(Func<ServerStats, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var stats = await StatsAsync();
            if (done(stats))
            {
                return stats;
            }
            Xunit.Assert.True(DateTime.UtcNow < deadline, $"Timed out; last stats: {stats}");
            await Task.Delay(200);
        }
    }

    /// <summary>Every event in feedback.db, read with a separate connection.</summary>
    public IReadOnlyList<ServerEvent> StoredEvents()
    {
        string path = Path.Combine(DataDirectory, "feedback.db");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA busy_timeout=10000;";
            pragma.ExecuteNonQuery();
        }
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.device_id, e.seq, e.item_id, e.user_id, e.type FROM events e JOIN devices d ON d.id = e.device ORDER BY d.device_id, e.seq
            """;
        using var reader = command.ExecuteReader();
        var events = new List<ServerEvent>();
        while (reader.Read())
        {
            events.Add(new ServerEvent(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
        }
        return events;
    }

    /// <summary>Rows in the batches table (idempotency records).</summary>
    public long BatchRecords() => Scalar("SELECT count(*) FROM batches");

    public long Scalar(string sql)
    {
        string path = Path.Combine(DataDirectory, "feedback.db");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A device secret as the SDK makes one.</summary>
    public static string NewSecret() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>POST /v1/devices for <paramref name="deviceId"/> with its secret, as the SDK sends it.</summary>
    public async Task<HttpResponseMessage> SendRegistrationAsync(string deviceId, string secret, string? apiKey = ApiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/devices") { Content = MsgPack(WireCodec.Encode(new DeviceRegistration(deviceId, secret))) };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }
        return await Http.SendAsync(request);
    }

    /// <summary>POST /v1/devices for <paramref name="deviceId"/> with its secret; the token the server issues.</summary>
    public async Task<string> RegisterAsync(string deviceId, string secret)
    {
        using var response = await SendRegistrationAsync(deviceId, secret);
        response.EnsureSuccessStatusCode();
        var credential = WireCodec.DecodeCredential(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(deviceId, credential.DeviceId);
        return credential.Token;
    }

    /// <summary>A request as a device makes it; null arguments leave that header out.</summary>
    public static HttpRequestMessage DeviceRequest(HttpMethod method, string path, string? deviceId, string? token, byte[]? body = null,
        string? apiKey = ApiKey, string contentType = WireCodec.ContentType)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }
        if (deviceId is not null)
        {
            request.Headers.Add("X-Device-Id", deviceId);
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return request;
    }

    /// <summary>POST /v1/events with <paramref name="body"/> for the device; the response (caller disposes).</summary>
    public Task<HttpResponseMessage> PostEventsAsync(byte[] body, string? deviceId, string? token, string? apiKey = ApiKey) =>
        Http.SendAsync(DeviceRequest(HttpMethod.Post, "v1/events", deviceId, token, body, apiKey));

    /// <summary>GET /health answers 200 "Healthy".</summary>
    public async Task AssertHealthyAsync()
    {
        using var response = await Http.GetAsync("health");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    public static ByteArrayContent MsgPack(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(WireCodec.ContentType);
        return content;
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        _ownedDirectory?.Dispose();
    }
}
