using System.Net;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests.Experiments;

/// <summary>
/// Assignment end to end on a real server and real clients: a device learns its arm at sync, downloads and runs that
/// arm's signed bundle, keeps its arm over restarts, labels its impressions with it; a device cannot fetch an arm it
/// was not given; decisions move devices at their next sync; devices from before experiments keep the serving version.
/// </summary>
public sealed class ExperimentAssignmentTests
{
    [Fact]
    public async Task Devices_run_the_model_of_the_arm_the_server_assigns_and_label_their_impressions_with_it()
    {
        using var dir = new TempDirectory();
        await using var lab = await ExperimentServer.StartAsync();
        var experiment = await lab.StartExperimentAsync(0.5);
        var arms = new List<string>();
        for (int d = 0; d < 24; d++)
        {
            await using var device = lab.OpenDevice(dir, $"device-{d}");
            var sync = await device.SyncAsync();
            Assert.Equal(SyncStatus.Completed, sync.Status);
            string expected = experiment.ArmOf(lab.Server.StoredDevice(device.DeviceId));
            Assert.Equal(new ExperimentArm(experiment.Id, expected, experiment.VersionOf(expected)), device.Arm);
            Assert.Equal(device.Arm, sync.Arm);
            Assert.Equal(experiment.VersionOf(expected), device.Model?.ModelVersion);
            arms.Add(expected);

            var shown = device.Recommend("player", 5);
            device.RecordImpressions("player", shown);
            device.RecordClick("player", shown, shown[0].ItemId);
            Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
        }
        Assert.Contains(ExperimentDefinition.ControlArm, arms);
        Assert.Contains(ExperimentDefinition.TreatmentArm, arms);
        // Every impression reached the server with its device's arm; the click that followed needs none.
        Assert.Equal(24 * 5, lab.Server.Scalar($"SELECT count(*) FROM events WHERE type = {(int)EventType.Impression} AND context LIKE '%\"arm\":\"{experiment.Id}/%'"));
        Assert.Equal(0, lab.Server.Scalar($"SELECT count(*) FROM events WHERE type = {(int)EventType.Click} AND context LIKE '%\"arm\"%'"));
    }

    [Fact]
    public async Task The_same_device_gets_the_same_arm_of_a_three_arm_experiment_across_100_restarts()
    {
        using var dir = new TempDirectory();
        await using var lab = await ExperimentServer.StartAsync(candidates: 2);
        var experiment = await lab.StartExperimentAsync([1 / 3.0, 1 / 3.0], "three-arms");
        ExperimentArm? first = null;
        for (int restart = 0; restart < 100; restart++)
        {
            await using var device = lab.OpenDevice(dir, "phone");
            // A restarted app is on its arm before it syncs: the arm was kept with the store, and its model on disk.
            Assert.Equal(first, device.Arm);
            Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
            first ??= device.Arm;
            Assert.NotNull(device.Arm);
            Assert.Equal(first, device.Arm);
            Assert.Equal(first!.ModelVersion, device.Model?.ModelVersion);
            Assert.Equal(experiment.ArmOf(lab.Server.StoredDevice(device.DeviceId)), device.Arm!.Arm);
        }
    }

    [Fact]
    public async Task A_device_cannot_download_the_treatment_unless_it_is_on_that_arm()
    {
        await using var lab = await ExperimentServer.StartAsync();
        var experiment = await lab.StartExperimentAsync(0.5);
        int refused = 0, served = 0;
        for (int d = 0; d < 16; d++)
        {
            string deviceId = $"device-{d}";
            string token = await lab.Server.RegisterAsync(deviceId, ServerHost.NewSecret());
            using var response = await lab.Server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, "v1/models/2", deviceId, token));
            bool onTreatment = experiment.ArmOf(lab.Server.StoredDevice(deviceId)) == ExperimentDefinition.TreatmentArm;
            Assert.Equal(onTreatment ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
            (onTreatment ? ref served : ref refused)++;
            // The serving version stays open to everyone.
            using var control = await lab.Server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, "v1/models/1", deviceId, token));
            Assert.Equal(HttpStatusCode.OK, control.StatusCode);
        }
        Assert.True(refused > 0 && served > 0, $"{refused} refused, {served} served");
    }

    [Fact]
    public async Task A_device_that_does_not_ask_for_arms_gets_the_serving_version_in_the_old_seven_field_form()
    {
        await using var lab = await ExperimentServer.StartAsync();
        // Every device on the treatment: any release with an arm would show it.
        var experiment = await lab.StartExperimentAsync(0.99);
        string deviceId = Enumerable.Range(0, 100).Select(i => $"old-{i}").First(id => experiment.ArmOf(lab.Server.StoredDevice(id)) == ExperimentDefinition.TreatmentArm);
        string token = await lab.Server.RegisterAsync(deviceId, ServerHost.NewSecret());

        using var old = await lab.Server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, "v1/models/latest", deviceId, token));
        byte[] oldBody = await old.Content.ReadAsByteArrayAsync();
        var oldRelease = WireCodec.DecodeRelease(oldBody);
        Assert.Equal(1, oldRelease.ModelVersion);
        Assert.Null(oldRelease.Arm);
        Assert.Equal(WireCodec.Encode(oldRelease with { Arm = null }), oldBody);

        var request = ServerHost.DeviceRequest(HttpMethod.Get, "v1/models/latest", deviceId, token);
        request.Headers.Add(ExperimentArm.RequestHeader, "1");
        using var current = await lab.Server.Http.SendAsync(request);
        var release = WireCodec.DecodeRelease(await current.Content.ReadAsByteArrayAsync());
        Assert.Equal(new ExperimentArm(experiment.Id, ExperimentDefinition.TreatmentArm, 2), release.Arm);
        Assert.Equal(2, release.ModelVersion);
    }

    [Fact]
    public async Task Decisions_move_devices_at_their_next_sync_and_the_operator_can_reverse_them()
    {
        using var dir = new TempDirectory();
        await using var lab = await ExperimentServer.StartAsync();
        var experiment = await lab.StartExperimentAsync(0.5);
        var devices = Enumerable.Range(0, 12).Select(d => lab.OpenDevice(dir, $"device-{d}")).ToList();
        try
        {
            foreach (var device in devices)
            {
                Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
            }
            var treated = devices.Where(d => d.Arm?.Arm == ExperimentDefinition.TreatmentArm).ToList();
            Assert.NotEmpty(treated);

            // Rolled back: every device returns to the serving version, on no arm, and v2 is closed to them.
            using (var rollback = await lab.DecideAsync(experiment.Id, ExperimentBook.Rollback))
            {
                Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
            }
            foreach (var device in devices)
            {
                var sync = await device.SyncAsync();
                Assert.Equal(SyncStatus.Completed, sync.Status);
                Assert.Equal(1, device.Model?.ModelVersion);
                Assert.Null(device.Arm);
            }
            Assert.False(lab.Book.MayDownload(treated[0].DeviceId, 2));

            // The operator reverses it: the experiment runs again and the same devices are treated again.
            using (var resume = await lab.DecideAsync(experiment.Id, ExperimentBook.Continue))
            {
                Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
            }
            foreach (var device in devices)
            {
                await device.SyncAsync();
            }
            Assert.Equal(treated.Select(d => d.DeviceId).Order(), devices.Where(d => d.Arm?.Arm == ExperimentDefinition.TreatmentArm).Select(d => d.DeviceId).Order());

            // Promoted: v2 serves everyone, outside any experiment.
            using (var promote = await lab.DecideAsync(experiment.Id, ExperimentBook.Promote))
            {
                Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
            }
            foreach (var device in devices)
            {
                await device.SyncAsync();
                Assert.Equal(2, device.Model?.ModelVersion);
                Assert.Null(device.Arm);
            }
            Assert.Equal(2, (await lab.Server.StatsAsync()).ServingVersion);
            var decisions = lab.Book.Decisions(experiment.Id);
            Assert.Equal([ExperimentBook.Rollback, ExperimentBook.Continue, ExperimentBook.Promote], decisions.Select(d => d.Decision));
            Assert.All(decisions, d => Assert.Equal(ExperimentBook.Operator, d.Actor));
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }

    [Fact]
    public async Task Bad_operator_requests_get_problem_details()
    {
        await using var lab = await ExperimentServer.StartAsync();
        await lab.StartExperimentAsync(0.5);
        using var unknown = await lab.DecideAsync("v2-vs-v1", "ship-it");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        using var missing = await lab.DecideAsync("nope", ExperimentBook.Promote);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var servingAsTreatment = await lab.Admin.PostAsync("v1/admin/experiments",
            System.Net.Http.Json.JsonContent.Create(new StartExperiment(1, 0.5, "self")));
        Assert.Equal(HttpStatusCode.BadRequest, servingAsTreatment.StatusCode);
        using var badShare = await lab.Admin.PostAsync("v1/admin/experiments",
            System.Net.Http.Json.JsonContent.Create(new StartExperiment(2, 1.5, "too-big")));
        Assert.Equal(HttpStatusCode.BadRequest, badShare.StatusCode);
        using var noKey = await lab.Server.Http.GetAsync("v1/admin/experiments");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }
}
