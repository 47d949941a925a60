using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests.Experiments;

/// <summary>
/// Popularity as an arm, end to end: the operator starts it through the API, the server publishes a signed popularity
/// version tried against the serving one, and a real device on that arm downloads, verifies and serves it — its
/// recommendations are the items ranked by how many devices chose them.
/// </summary>
public sealed class PopularityArmTests
{
    // game index → how many devices play it before the arm starts.
    private static readonly (int Game, int Devices)[] Plays = [(3, 5), (7, 4), (11, 3), (20, 2), (25, 1)];

    [Fact]
    public async Task A_device_on_the_popularity_arm_gets_items_ranked_by_how_many_devices_chose_them()
    {
        using var dir = new TempDirectory();
        // Exact counts: every item may ship (k = 1) without noise, so the expected order is the true one.
        await using var lab = await ExperimentServer.StartAsync(o =>
        {
            o.Privacy.MinDevices = 1;
            o.Privacy.NoiseScale = 0;
        });
        for (int d = 0; d < 5; d++)
        {
            await using var device = lab.OpenDevice(dir, $"player-{d}");
            foreach (var (game, devices) in Plays.Where(p => d < p.Devices))
            {
                device.Track("player", ExperimentServer.Game(game), EventType.Play);
            }
            Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
        }

        using var response = await lab.Admin.PostAsJsonAsync("v1/admin/experiments",
            new StartExperiment(0, 0.5, "popularity-vs-v1", StartExperiment.Popularity));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var experiment = lab.Book.Find("popularity-vs-v1")!;
        Assert.Equal((1L, 3L), (experiment.ControlVersion, experiment.TreatmentVersion));

        // Fresh installs until one lands on the popularity arm (half of them do).
        for (int d = 0; ; d++)
        {
            Assert.True(d < 40, "no device landed on the popularity arm");
            await using var device = lab.OpenDevice(dir, $"newcomer-{d}");
            device.Track("newcomer", ExperimentServer.Game(7), EventType.Play);
            var sync = await device.SyncAsync();
            Assert.Equal(SyncStatus.Completed, sync.Status);
            if (device.Arm?.Arm != ExperimentDefinition.TreatmentArm)
            {
                Assert.Equal(1, device.Model?.ModelVersion);
                continue;
            }
            Assert.Equal(3, device.Model?.ModelVersion);
            Assert.Equal("popularity", device.Model?.Architecture);
            var shown = device.Recommend("newcomer", 4);
            // By devices that chose them, the one this player already played left out.
            Assert.Equal([ExperimentServer.Game(3), ExperimentServer.Game(11), ExperimentServer.Game(20), ExperimentServer.Game(25)],
                shown.Select(r => r.ItemId));
            break;
        }
    }

    [Fact]
    public async Task A_popularity_arm_with_a_treatment_version_too_is_refused()
    {
        await using var lab = await ExperimentServer.StartAsync();
        using var response = await lab.Admin.PostAsJsonAsync("v1/admin/experiments", new StartExperiment(2, 0.5, "both", StartExperiment.Popularity));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(lab.Book.Running);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    public async Task A_bad_share_is_refused_before_any_popularity_version_is_built(double share)
    {
        await using var lab = await ExperimentServer.StartAsync();
        var registry = lab.Server.Services.GetRequiredService<Models.ModelRegistry>();
        using var response = await lab.Admin.PostAsJsonAsync("v1/admin/experiments", new StartExperiment(0, share, "popular", StartExperiment.Popularity));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(Directory.Exists(registry.BundleDirectory(3)), "a popularity bundle was written for a refused experiment");
        Assert.Null(lab.Book.Running);
    }

    [Fact]
    public async Task Shares_adding_up_to_one_or_more_and_a_bad_id_are_refused_before_any_popularity_version_is_built()
    {
        await using var lab = await ExperimentServer.StartAsync();
        var registry = lab.Server.Services.GetRequiredService<Models.ModelRegistry>();
        using var tooMuch = await lab.Admin.PostAsJsonAsync("v1/admin/experiments", new StartExperiment(0, 0, "popular",
            Treatments: [new StartTreatment(0.5, Version: 2), new StartTreatment(0.5, Arm: StartExperiment.Popularity)]));
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        using var badId = await lab.Admin.PostAsJsonAsync("v1/admin/experiments", new StartExperiment(0, 0.2, "not/an id", StartExperiment.Popularity));
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.False(Directory.Exists(registry.BundleDirectory(3)), "a popularity bundle was written for a refused experiment");
        Assert.Null(lab.Book.Running);
    }
}
