using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Tests.Data;

/// <summary>The split as it stood some interactions earlier: each user's newest removed, with everything parallel to them.</summary>
public sealed class EarlierCutoffTests
{
    private static InteractionData Data()
    {
        var items = new ItemVocabulary();
        foreach (string id in new[] { "a", "b", "c", "d", "e" })
        {
            items.Add(id, id, ["G"]);
        }
        return new InteractionData("hand-made", ["long", "short"],
            [[1, 2, 3, 4, 5], [2, 3]],
            items,
            shown: [[new ShownItem(0, 5), new ShownItem(2, 1), new ShownItem(3, 2), new ShownItem(5, 3)], [new ShownItem(1, 4)]],
            sameTime: [[false, true, false, false, true], [false, true]],
            times: [[10, 10, 20, 30, 30], [5, 5]]);
    }

    [Fact]
    public void Each_users_newest_are_removed_with_their_times_ties_and_later_impressions()
    {
        var earlier = EarlierCutoff.WithoutNewest(Data(), 2);
        Assert.Equal([[1, 2, 3], []], earlier.Sequences);
        Assert.Equal([[10L, 10, 20], []], earlier.Times!);
        Assert.Equal([[false, true, false], []], earlier.SameTime!);
        // An impression shown after the third interaction was a negative only for positions that are now gone.
        Assert.Equal([[new ShownItem(0, 5), new ShownItem(2, 1)], []], earlier.Shown!);
        Assert.Equal(["long", "short"], earlier.UserIds);
        Assert.Equal(3, earlier.InteractionCount);
        Assert.Contains("newest 2 removed", earlier.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_none_is_the_same_data_and_a_negative_count_is_refused()
    {
        var data = Data();
        Assert.Same(data, EarlierCutoff.WithoutNewest(data, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => EarlierCutoff.WithoutNewest(data, -1));
    }

    [Fact]
    public void The_earlier_split_tests_the_interaction_before_the_newest()
    {
        var split = new LeaveOneOutSplit(EarlierCutoff.WithoutNewest(Data(), 1));
        var user = Assert.Single(split.Users);
        Assert.Equal((3, 4), (user.Validation, user.Test));
        Assert.Equal([1, 2], user.Train);
    }
}
