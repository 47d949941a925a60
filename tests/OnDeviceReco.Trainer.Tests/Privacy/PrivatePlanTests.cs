using OnDeviceReco.Trainer.Privacy;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Trainer.Tests.Privacy;

/// <summary>
/// How many users a private step expects: by default 4 % of the users, at least 256 (all when fewer); a value given
/// wins. The noise on a step's mean is σC divided by that number, so it is what a larger population buys.
/// </summary>
public sealed class PrivatePlanTests
{
    [Theory]
    [InlineData(100_000, 4_000, 0.04, 25)]
    [InlineData(50_000, 2_000, 0.04, 25)]
    [InlineData(10_000, 400, 0.04, 25)]
    [InlineData(6_000, 256, 256 / 6_000.0, 23)]
    [InlineData(671, 256, 256 / 671.0, 3)]
    [InlineData(100, 100, 1.0, 1)]
    public void By_default_a_step_expects_4_percent_of_the_users_and_at_least_256(int users, int expected, double q, int stepsPerEpoch)
    {
        var privacy = new UserLevelPrivacy();
        Assert.Equal(expected, privacy.ExpectedUsersPerStep(users));
        var plan = PrivatePlan.For(privacy, users, epochs: 2);
        Assert.Equal(q, plan.SampleRate, 1e-12);
        Assert.Equal(stepsPerEpoch, plan.StepsPerEpoch);
        Assert.Equal(2L * stepsPerEpoch, plan.PlannedSteps);
        Assert.Equal(q * users, plan.ExpectedUsers, 1e-9);
    }

    [Fact]
    public void Users_per_step_given_win_over_the_default()
    {
        var privacy = new UserLevelPrivacy { UsersPerStep = 2_000 };
        Assert.Equal(2_000, privacy.ExpectedUsersPerStep(100_000));
        Assert.Equal(0.02, PrivatePlan.For(privacy, 100_000, epochs: 1).SampleRate, 1e-12);
        Assert.Equal(1.0, PrivatePlan.For(privacy, 500, epochs: 1).SampleRate, 1e-12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new UserLevelPrivacy { UsersPerStep = 0 }.Validate());
    }
}
