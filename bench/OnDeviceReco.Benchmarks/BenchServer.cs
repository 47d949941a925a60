using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OnDeviceReco.Server.Hosting;

namespace OnDeviceReco.Benchmarks;

/// <summary>The real server on a free loopback port, retraining off, limits wide enough for a flood from one machine.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string ApiKey = "bench-key";
    private readonly WebApplication _app;

    private BenchServer(WebApplication app, string dataDirectory, Uri address)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Address = address;
    }

    public Uri Address { get; }
    public string DataDirectory { get; }

    public static BenchServer Start()
    {
        string data = Path.Combine(Path.GetTempPath(), "odr-bench", "server-" + Guid.NewGuid().ToString("N"));
        var app = RecoServer.Build(new ServerOptions
        {
            DataDirectory = data,
            Urls = "http://127.0.0.1:0",
            ApiKeys = [ApiKey],
            DeviceRequestsPerSecond = 100_000,
            DeviceRequestBurst = 100_000,
            // Every iteration registers fresh device ids from this one address.
            RegistrationsPerAddressPerMinute = 1_000_000,
            RegistrationBurstPerAddress = 1_000_000,
            RegistrationsPerSecond = 1_000_000,
            Retraining = new RetrainingOptions { Enabled = false },
        }, builder => builder.Logging.ClearProviders());
        app.StartAsync().GetAwaiter().GetResult();
        var address = app.ListeningAddress();
        return new BenchServer(app, data, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
