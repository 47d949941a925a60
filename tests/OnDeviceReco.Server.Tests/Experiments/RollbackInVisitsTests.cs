using System.Net.Http.Json;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests.Experiments;

/// <summary>
/// The rollback path in the main command's shape: devices visit in rounds (show the arm's answer, take or not, sync)
/// and the server looks after every round; the first looks are below the minimum sample and continue, a later one
/// rolls the broken treatment back, and at the next sync no device is left on it.
/// </summary>
public sealed class RollbackInVisitsTests
{
    private const int Devices = 60;
    private const int ShownPerVisit = 3;
    private const int MaxVisits = 6;

    [Fact]
    public async Task Looked_at_after_every_round_of_visits_a_treatment_nobody_takes_is_rolled_back_and_no_device_stays_on_it()
    {
        using var dir = new TempDirectory();
        await using var lab = await ExperimentServer.StartAsync(options =>
        {
            options.Experiments.MinDevicesPerArm = 8;
            // More than one round's impressions of any arm (at most Devices − 1 devices × ShownPerVisit): the first look cannot decide.
            options.Experiments.MinImpressionsPerArm = Devices * ShownPerVisit;
            options.Experiments.MixingScale = 0.2;
            options.Experiments.EvaluationInterval = TimeSpan.FromHours(1); // the test looks after each round, as the loop does
        });
        var experiment = await lab.StartExperimentAsync(0.5);
        var devices = Enumerable.Range(0, Devices).Select(d => lab.OpenDevice(dir, $"device-{d}")).ToList();
        try
        {
            var looks = new List<ExperimentEvaluation>();
            for (int visit = 0; visit < MaxVisits && (looks.Count == 0 || looks[^1].Decision == ExperimentBook.Continue); visit++)
            {
                foreach (var device in devices)
                {
                    if (visit == 0)
                    {
                        Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status); // learns its arm, swaps in its model
                    }
                    var shown = device.Recommend("player", ShownPerVisit);
                    device.RecordImpressions("player", shown);
                    if (device.Arm!.Arm == ExperimentDefinition.ControlArm)
                    {
                        device.RecordClick("player", shown, shown[visit % ShownPerVisit].ItemId, EventType.Play);
                    }
                    Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
                }
                using var response = await lab.Admin.PostAsync($"v1/admin/experiments/{experiment.Id}/evaluate", null);
                looks.Add((await response.Content.ReadFromJsonAsync<ExperimentEvaluation>())!);
            }

            Assert.Equal(ExperimentBook.Continue, looks[0].Decision);
            Assert.Contains("minimum sample", looks[0].Reason, StringComparison.Ordinal);
            Assert.Equal(ExperimentBook.Rollback, looks[^1].Decision);
            Assert.True(looks[^1].SequentialHigh < 0, $"{looks[^1]}");
            Assert.Equal(0, looks[^1].Treatment.Takes);
            var decision = Assert.Single(lab.Book.Decisions(experiment.Id));
            Assert.Equal((ExperimentBook.Rollback, ExperimentBook.Automatic), (decision.Decision, decision.Actor));

            // Before their next sync the treatment's devices still run it; after it, none does and none is on an arm.
            Assert.Contains(devices, d => d.Model?.ModelVersion == experiment.TreatmentVersion);
            foreach (var device in devices)
            {
                Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
            }
            Assert.Equal(0, devices.Count(d => d.Model?.ModelVersion == experiment.TreatmentVersion));
            Assert.All(devices, d => Assert.Equal(experiment.ControlVersion, d.Model?.ModelVersion));
            Assert.All(devices, d => Assert.Null(d.Arm));
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }
}
