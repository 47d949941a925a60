using System.Net;
using System.Net.Http.Json;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests.Experiments;

/// <summary>
/// Online metrics and the automatic decision from what real devices synced: take rates, plays per request and coverage
/// per arm as the test made them happen, a treatment nobody takes from rolled back without an operator, its devices back
/// on the serving version at their next sync, and impressions claiming an arm the device is not on not counted.
/// </summary>
public sealed class ExperimentDecisionTests
{
    [Fact]
    public async Task A_treatment_players_do_not_take_is_rolled_back_from_synced_impressions_and_its_devices_return_to_serving()
    {
        using var dir = new TempDirectory();
        await using var lab = await ExperimentServer.StartAsync(options =>
        {
            options.Experiments.MinDevicesPerArm = 8;
            options.Experiments.MinImpressionsPerArm = 0;
            // Forty devices and a difference of tens of points: the mixture tuned to differences of that size.
            options.Experiments.MixingScale = 0.2;
            options.Experiments.EvaluationInterval = TimeSpan.FromHours(1); // this test looks when it wants
        });
        var experiment = await lab.StartExperimentAsync(0.5);
        var devices = Enumerable.Range(0, 40).Select(d => lab.OpenDevice(dir, $"device-{d}")).ToList();
        try
        {
            long controlTakes = 0, controlPlays = 0;
            int controlDevices = 0, treatmentDevices = 0;
            var controlShown = new HashSet<string>();
            for (int d = 0; d < devices.Count; d++)
            {
                var device = devices[d];
                Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
                var shown = device.Recommend("player", 5);
                Assert.Equal(5, shown.Count);
                device.RecordImpressions("player", shown);
                if (device.Arm!.Arm == ExperimentDefinition.ControlArm)
                {
                    controlDevices++;
                    controlShown.UnionWith(shown.Select(r => r.ItemId));
                    // Players on the control take 0 to 3 of what they were shown, the first one by playing it.
                    for (int taken = 0; taken < d % 4; taken++)
                    {
                        device.RecordClick("player", shown, shown[taken].ItemId, taken == 0 ? EventType.Play : EventType.Click);
                        controlTakes++;
                        controlPlays += taken == 0 ? 1 : 0;
                    }
                    // A device claiming the other arm in its own events is not counted there (an item it was not shown, so
                    // the purchase is no take of its real impressions either).
                    string unshown = Enumerable.Range(0, ExperimentServer.Games).Select(ExperimentServer.Game).First(g => shown.All(r => r.ItemId != g));
                    device.Track("player", unshown, EventType.Impression,
                        context: new Dictionary<string, string> { ["arm"] = $"{experiment.Id}/{ExperimentDefinition.TreatmentArm}", ["request_id"] = "forged" });
                    device.Track("player", unshown, EventType.Purchase, context: new Dictionary<string, string> { ["request_id"] = "forged" });
                }
                else
                {
                    treatmentDevices++;
                }
                Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
            }

            using var response = await lab.Admin.PostAsync($"v1/admin/experiments/{experiment.Id}/evaluate", null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var look = (await response.Content.ReadFromJsonAsync<ExperimentEvaluation>())!;

            Assert.Equal((controlDevices, 5L * controlDevices, controlTakes), (look.Control.Devices, look.Control.Impressions, look.Control.Takes));
            Assert.Equal((treatmentDevices, 5L * treatmentDevices, 0L), (look.Treatment.Devices, look.Treatment.Impressions, look.Treatment.Takes));
            Assert.Equal(controlTakes / (5.0 * controlDevices), look.Control.TakeRate, 12);
            Assert.Equal((double)controlPlays / controlDevices, look.Control.PlaysPerRequest, 12);
            Assert.Equal(controlShown.Count / (double)ExperimentServer.Games, look.Control.Coverage, 12);
            Assert.Equal(-look.Control.TakeRate, look.Difference, 12);
            Assert.True(look.Ci95Low < look.Difference && look.Difference < look.Ci95High);
            Assert.True(look.SequentialLow <= look.Ci95Low && look.SequentialHigh < 0, $"{look}");
            Assert.Equal(ExperimentBook.Rollback, look.Decision);

            // The look is on /metrics (loopback scrapes without a key) and on the dashboard.
            string metrics = await lab.Server.Http.GetStringAsync("metrics");
            Assert.Contains(metrics.Split('\n'), line => line.StartsWith("reco_experiment_take_rate{", StringComparison.Ordinal)
                && line.Contains("arm=\"treatment\"", StringComparison.Ordinal) && line.Contains($"experiment=\"{experiment.Id}\"", StringComparison.Ordinal));
            Assert.Contains(metrics.Split('\n'), line => line.StartsWith("reco_experiment_difference{", StringComparison.Ordinal)
                && line.Contains("bound=\"sequential_high\"", StringComparison.Ordinal));
            string page = await lab.DashboardPageAsync("admin/experiments");
            Assert.Contains($"Take rate by arm, {experiment.Id}", page, StringComparison.Ordinal);
            Assert.Contains("<svg", page, StringComparison.Ordinal);
            Assert.Contains("rolled_back", page, StringComparison.Ordinal);

            var decision = Assert.Single(lab.Book.Decisions(experiment.Id));
            Assert.Equal((ExperimentBook.Rollback, ExperimentBook.Automatic), (decision.Decision, decision.Actor));
            foreach (var device in devices)
            {
                Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
            }
            Assert.Equal(0, devices.Count(d => d.Model?.ModelVersion == experiment.TreatmentVersion));
            Assert.All(devices, d => Assert.Null(d.Arm));

            // The operator reverses it; the log keeps both.
            using var resumed = await lab.DecideAsync(experiment.Id, ExperimentBook.Continue);
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
            var view = (await lab.Admin.GetFromJsonAsync<ExperimentView>($"v1/admin/experiments/{experiment.Id}"))!;
            Assert.Equal(ExperimentDefinition.Running, view.Experiment.Status);
            Assert.Equal([ExperimentBook.Rollback, ExperimentBook.Continue], view.Decisions.Select(d => d.Decision));
            Assert.Single(view.Looks);
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
    public async Task Before_the_minimum_sample_the_experiment_continues_and_nothing_is_logged()
    {
        using var dir = new TempDirectory();
        await using var lab = await ExperimentServer.StartAsync(options => options.Experiments.EvaluationInterval = TimeSpan.FromHours(1));
        var experiment = await lab.StartExperimentAsync(0.5);
        await using (var device = lab.OpenDevice(dir, "only"))
        {
            await device.SyncAsync();
            device.RecordImpressions("player", device.Recommend("player", 5));
            await device.SyncAsync();
        }
        using var response = await lab.Admin.PostAsync($"v1/admin/experiments/{experiment.Id}/evaluate", null);
        var look = (await response.Content.ReadFromJsonAsync<ExperimentEvaluation>())!;
        Assert.Equal(ExperimentBook.Continue, look.Decision);
        Assert.Contains("minimum sample", look.Reason, StringComparison.Ordinal);
        Assert.Equal(1, look.Control.Devices + look.Treatment.Devices);
        Assert.Empty(lab.Book.Decisions(experiment.Id));
        Assert.Equal(ExperimentDefinition.Running, lab.Book.Find(experiment.Id)!.Status);
    }
}
