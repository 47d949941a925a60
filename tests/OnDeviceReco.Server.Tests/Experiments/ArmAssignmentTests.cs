using OnDeviceReco.Server.Experiments;

namespace OnDeviceReco.Server.Tests.Experiments;

/// <summary>The hash that places devices: stable, and splitting devices in the configured shares.</summary>
public sealed class ArmAssignmentTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.25)]
    public void Shares_over_10000_devices_are_within_two_points_of_the_configured_split(double share)
    {
        foreach (string salt in (string[])[ArmAssignment.NewSalt(), ArmAssignment.NewSalt(), "fixed-salt"])
        {
            var experiment = Experiment(salt, (ExperimentDefinition.TreatmentArm, share));
            int treated = Enumerable.Range(0, 10_000).Count(i => experiment.ArmOf(Guid.NewGuid().ToString("N")) == ExperimentDefinition.TreatmentArm);
            Assert.InRange(treated / 10_000.0, share - 0.02, share + 0.02);
        }
    }

    [Theory]
    [InlineData(0.2, 0.3)]
    [InlineData(1 / 3.0, 1 / 3.0)]
    [InlineData(0.05, 0.45)]
    public void Three_arms_over_10000_devices_are_within_two_points_of_the_configured_split(double first, double second)
    {
        foreach (string salt in (string[])[ArmAssignment.NewSalt(), ArmAssignment.NewSalt(), "fixed-salt"])
        {
            var experiment = Experiment(salt, ("a", first), ("b", second));
            var counts = Enumerable.Range(0, 10_000).Select(_ => experiment.ArmOf(Guid.NewGuid().ToString("N"))).CountBy(arm => arm).ToDictionary();
            Assert.Equal(10_000, counts.Values.Sum());
            Assert.InRange(counts.GetValueOrDefault("a") / 10_000.0, first - 0.02, first + 0.02);
            Assert.InRange(counts.GetValueOrDefault("b") / 10_000.0, second - 0.02, second + 0.02);
            Assert.InRange(counts.GetValueOrDefault(ExperimentDefinition.ControlArm) / 10_000.0, 1 - first - second - 0.02, 1 - first - second + 0.02);
        }
    }

    [Fact]
    public void A_device_keeps_its_position_and_another_salt_places_it_independently()
    {
        string device = Guid.NewGuid().ToString("N");
        double position = ArmAssignment.Position(device, "salt-a");
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(position, ArmAssignment.Position(device, "salt-a")));
        Assert.InRange(position, 0, 1 - double.Epsilon);
        // Across salts, the treated sets of two 50 % experiments overlap by about a quarter of devices, not a half.
        var ids = Enumerable.Range(0, 10_000).Select(i => $"device-{i}").ToList();
        int both = ids.Count(id => ArmAssignment.Position(id, "salt-a") < 0.5 && ArmAssignment.Position(id, "salt-b") < 0.5);
        Assert.InRange(both / 10_000.0, 0.23, 0.27);
    }

    [Fact]
    public void Another_treatment_takes_its_devices_from_the_control_only_and_a_decision_moves_nobody()
    {
        var ids = Enumerable.Range(0, 10_000).Select(i => $"device-{i}").ToList();
        var one = Experiment("salt", ("a", 0.3));
        var two = Experiment("salt", ("a", 0.3), ("b", 0.2));
        var rolledBack = two with { Treatments = [two.Treatments[0], two.Treatments[1] with { Status = ExperimentDefinition.RolledBack }] };
        Assert.All(ids, id =>
        {
            string arm = two.ArmOf(id);
            Assert.Equal(one.ArmOf(id) == "a", arm == "a");
            Assert.Equal(arm, rolledBack.ArmOf(id));
        });
        Assert.Contains(ids, id => two.ArmOf(id) == "b");
    }

    private static ExperimentDefinition Experiment(string salt, params (string Name, double Share)[] treatments) =>
        new("e", salt, 1, [.. treatments.Select((t, i) => new ExperimentTreatment(t.Name, i + 2, t.Share))], ExperimentDefinition.Running, DateTimeOffset.UnixEpoch);
}
