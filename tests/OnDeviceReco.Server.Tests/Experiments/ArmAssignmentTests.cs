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
            var experiment = new ExperimentDefinition("e", salt, 1, 2, share, ExperimentDefinition.Running, DateTimeOffset.UnixEpoch);
            int treated = Enumerable.Range(0, 10_000).Count(i => experiment.ArmOf(Guid.NewGuid().ToString("N")) == ExperimentDefinition.TreatmentArm);
            Assert.InRange(treated / 10_000.0, share - 0.02, share + 0.02);
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
}
