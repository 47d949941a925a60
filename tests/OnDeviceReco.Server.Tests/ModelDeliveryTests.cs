using System.Net;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>Scenario 8: with no model published, syncs complete and the device keeps serving without one.</summary>
public sealed class ModelDeliveryTests
{
    [Fact]
    public async Task Without_a_published_model_sync_completes_and_no_model_is_loaded()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        using var device = Device.Create(dir, proxy.Address);
        device.Track(60);

        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Null(result.ModelVersion);
        Assert.False(result.ModelUpdated);
        Assert.Null(result.Error);
        Assert.Null(device.Client.Model);
        Assert.Equal(result, device.Client.LastSync);
        var latest = proxy.Log.Single(r => r.Path == "/v1/models/latest");
        Assert.Equal(404, latest.UpstreamStatus);
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(device.DatabasePath)!, "models", "v1")));
        Assert.Null((await server.StatsAsync()).ServingVersion);
        var recommendations = device.Client.Recommend("user-0", 5);
        Assert.Null(recommendations.ModelVersion);
    }

    [Fact]
    public async Task Model_endpoints_answer_404_problem_details_before_the_first_publication()
    {
        await using var server = await ServerHost.StartAsync();
        string deviceId = Guid.NewGuid().ToString("N");
        string token = await server.RegisterAsync(deviceId, ServerHost.NewSecret());
        foreach (string path in (string[])["v1/models/latest", "v1/models/1"])
        {
            using var response = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, path, deviceId, token));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using var anonymous = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, "v1/models/latest", deviceId, null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task With_model_downloads_off_a_sync_makes_no_model_request()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerHost.StartAsync();
        await using var proxy = await ChaosProxy.StartAsync(server.Address);
        using var device = Device.Create(dir, proxy.Address, s => s with { DownloadModels = false });
        device.Track(10);

        var result = await device.Client.SyncAsync();

        Assert.Equal(SyncStatus.Completed, result.Status);
        Assert.Equal(2, result.Attempts); // registration and one batch
        Assert.DoesNotContain(proxy.Log, r => r.Path.StartsWith("/v1/models", StringComparison.Ordinal));
    }
}
