using System.Net;
using System.Net.Http.Json;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests.Experiments;

/// <summary>
/// An experiment with two treatments on a real server and real devices, looked at after every round of visits: the
/// treatment players do not take is rolled back alone (its devices return to the serving version at their next sync)
/// while the other goes on, and is promoted once it wins; every decision logged, per arm on /metrics and the dashboard,
/// and the operator can reverse them.
/// </summary>
public sealed class MultiArmExperimentTests
{
    private const int Devices = 75;
    private const int Shown = 5;
    private const string Good = "treatment-1";
    private const string Broken = "treatment-2";

    [Fact]
    public async Task A_losing_treatment_is_rolled_back_alone_while_the_other_goes_on_and_is_promoted_when_it_wins()
    {
        using var dir = new TempDirectory();
        await using var lab = await ExperimentServer.StartAsync(options =>
        {
            options.Experiments.MinDevicesPerArm = 8;
            options.Experiments.MinImpressionsPerArm = 0;
            // Tens of devices an arm and differences of tens of points: the mixture tuned to differences of that size.
            options.Experiments.MixingScale = 0.2;
            options.Experiments.EvaluationInterval = TimeSpan.FromHours(1); // this test looks when it wants
        }, candidates: 2);
        var experiment = await lab.StartExperimentAsync([1 / 3.0, 1 / 3.0], "three-arms");
        Assert.Equal([(Good, 2L), (Broken, 3L)], experiment.Treatments.Select(t => (t.Name, t.Version)));
        var devices = Enumerable.Range(0, Devices).Select(d => lab.OpenDevice(dir, $"device-{d}")).ToList();
        try
        {
            foreach (var device in devices)
            {
                Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
                Assert.Equal(experiment.VersionOf(device.Arm!.Arm), device.Model?.ModelVersion);
            }
            var armOf = devices.ToDictionary(d => d.DeviceId, d => d.Arm!.Arm);
            Assert.All(experiment.ArmNames, arm => Assert.True(armOf.Values.Count(a => a == arm) >= 10, $"{armOf.Values.Count(a => a == arm)} devices on {arm}"));

            // Round 1: the control's players and the good treatment's take alike (the k-th device of each arm 0 to 3 of 5);
            // nobody takes what the broken treatment shows.
            var look = await VisitAsync(lab, experiment, devices, (arm, k) => arm == Broken ? 0 : k % 4);
            Assert.Equal(ExperimentBook.Rollback, look.Decision);
            var broken = look.Comparisons.Single(c => c.Treatment.Arm == Broken);
            var good = look.Comparisons.Single(c => c.Treatment.Arm == Good);
            Assert.Equal((ExperimentBook.Rollback, ExperimentBook.Continue), (broken.Decision, good.Decision));
            Assert.Equal(0.025, broken.Alpha, 12); // α = 0.05 shared by two treatments
            Assert.True(broken.SequentialHigh < 0 && good.SequentialLow < 0 && good.SequentialHigh > 0, $"{broken} {good}");
            var now = lab.Book.Find(experiment.Id)!;
            Assert.Equal(ExperimentDefinition.Running, now.Status);
            Assert.Equal([ExperimentDefinition.Running, ExperimentDefinition.RolledBack], now.Treatments.Select(t => t.Status));

            // At their next sync the broken arm's devices return to the serving version, on no arm; the others stay.
            foreach (var device in devices)
            {
                Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
                string arm = armOf[device.DeviceId];
                Assert.Equal(arm == Broken ? null : new Protocol.Wire.ExperimentArm(experiment.Id, arm, experiment.VersionOf(arm)), device.Arm);
                Assert.Equal(arm == Broken ? 1 : experiment.VersionOf(arm), device.Model?.ModelVersion);
                // The rolled-back version is closed to every device, its own former ones included.
                Assert.False(lab.Book.MayDownload(device.DeviceId, 3));
            }

            // Round 2: the good treatment's players now take 4 of 5; it wins and is promoted, and everyone gets it.
            look = await VisitAsync(lab, experiment, devices, (arm, k) => arm == Good ? 4 : arm == Broken ? 0 : k % 4);
            Assert.Equal(ExperimentBook.Promote, look.Decision);
            Assert.True(look.Comparisons.Single(c => c.Treatment.Arm == Good).SequentialLow > 0, $"{look}");
            Assert.Equal(ExperimentDefinition.RolledBack, look.Comparisons.Single(c => c.Treatment.Arm == Broken).Decision);
            foreach (var device in devices)
            {
                Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
                Assert.Equal(2, device.Model?.ModelVersion);
                Assert.Null(device.Arm);
            }
            Assert.Equal(2, (await lab.Server.StatsAsync()).ServingVersion);
            var decisions = lab.Book.Decisions(experiment.Id);
            Assert.Equal([(ExperimentBook.Rollback, Broken), (ExperimentBook.Promote, Good)],
                decisions.Select(d => (d.Decision, d.Detail.Split(':')[0])));
            Assert.All(decisions, d => Assert.Equal(ExperimentBook.Automatic, d.Actor));

            // Every arm on /metrics and in the dashboard's chart.
            string metrics = await lab.Server.Http.GetStringAsync("metrics");
            foreach (string arm in experiment.ArmNames)
            {
                Assert.Contains(metrics.Split('\n'), line => line.StartsWith("reco_experiment_take_rate{", StringComparison.Ordinal)
                    && line.Contains($"arm=\"{arm}\"", StringComparison.Ordinal) && line.Contains($"experiment=\"{experiment.Id}\"", StringComparison.Ordinal));
            }
            Assert.Contains(metrics.Split('\n'), line => line.StartsWith("reco_experiment_difference{", StringComparison.Ordinal)
                && line.Contains($"arm=\"{Broken}\"", StringComparison.Ordinal) && line.Contains("bound=\"sequential_high\"", StringComparison.Ordinal));
            string page = await lab.DashboardPageAsync("admin/experiments");
            Assert.Contains($"Take rate by arm, {experiment.Id}", page, StringComparison.Ordinal);
            Assert.Contains($"{Good} v2", page, StringComparison.Ordinal);
            Assert.Contains($"{Broken} v3", page, StringComparison.Ordinal);
            Assert.Contains($"control v1", page, StringComparison.Ordinal);

            // The operator reverses both: the broken arm runs again, the promotion is undone, the control serves.
            using (var resumed = await lab.DecideAsync(experiment.Id, ExperimentBook.Continue, Broken))
            {
                Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
            }
            var view = (await lab.Admin.GetFromJsonAsync<ExperimentView>($"v1/admin/experiments/{experiment.Id}"))!;
            Assert.Equal(ExperimentDefinition.Running, view.Experiment.Status);
            Assert.Equal([ExperimentDefinition.Running, ExperimentDefinition.Running], view.Experiment.Treatments.Select(t => t.Status));
            Assert.Equal(1, (await lab.Server.StatsAsync()).ServingVersion);
            Assert.Equal(3, view.Decisions.Count);

            // Promoting without naming the arm is ambiguous with two treatments; an unknown arm is refused too.
            using var ambiguous = await lab.DecideAsync(experiment.Id, ExperimentBook.Promote);
            Assert.Equal(HttpStatusCode.BadRequest, ambiguous.StatusCode);
            using var unknown = await lab.DecideAsync(experiment.Id, ExperimentBook.Rollback, "treatment-9");
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }

    /// <summary>
    /// One round: each device shows its answer, its player takes <paramref name="takes"/>(arm, k) of them (k: the
    /// device's place among its arm's devices), it syncs; then the server looks and applies its decision.
    /// </summary>
    private static async Task<ExperimentEvaluation> VisitAsync(ExperimentServer lab, ExperimentDefinition experiment, List<RecoClient> devices,
        Func<string, int, int> takes)
    {
        var seen = new Dictionary<string, int>();
        foreach (var device in devices)
        {
            string arm = experiment.ArmOf(lab.Server.StoredDevice(device.DeviceId));
            int k = seen[arm] = seen.GetValueOrDefault(arm) + 1;
            var shown = device.Recommend("player", Shown);
            Assert.Equal(Shown, shown.Count);
            device.RecordImpressions("player", shown);
            for (int taken = 0; taken < takes(arm, k); taken++)
            {
                device.RecordClick("player", shown, shown[taken].ItemId, EventType.Play);
            }
            Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
        }
        using var response = await lab.Admin.PostAsync($"v1/admin/experiments/{experiment.Id}/evaluate", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ExperimentEvaluation>())!;
    }
}
