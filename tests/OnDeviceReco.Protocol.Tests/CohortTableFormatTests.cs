using OnDeviceReco.Protocol.Cohorts;

namespace OnDeviceReco.Protocol.Tests;

/// <summary>The bundle's cohort table: exact round trip, one blending rule, and every damaged form refused.</summary>
public sealed class CohortTableFormatTests
{
    private static readonly string[] Items = ["a", "b", "c", "d"];

    private static CohortTable Sample() => new([
        new Cohort(CohortTable.AttributeLabel("platform", "ios"), 40, [("a", 0.5f), ("b", 0.25f)]),
        new Cohort(CohortTable.AttributeLabel("age", "18-24"), 12, [("c", 0.75f), ("a", 0.25f)]),
        new Cohort(CohortTable.SearchLabel(" Racing "), 7, [("d", 1f)]),
    ]);

    [Fact]
    public void A_table_round_trips_against_the_bundle_items()
    {
        var decoded = CohortTableFormat.Decode(CohortTableFormat.Encode(Sample(), Items), Items);
        Assert.Equal(Sample().Cohorts.Keys.Order(), decoded.Cohorts.Keys.Order());
        foreach (var (label, cohort) in Sample().Cohorts)
        {
            Assert.Equal(cohort.Users, decoded.Cohorts[label].Users);
            Assert.Equal(cohort.Items, decoded.Cohorts[label].Items);
        }
        Assert.True(decoded.Cohorts.ContainsKey("search:racing"));
    }

    [Fact]
    public void Blending_averages_shares_over_the_users_cohorts_and_skips_unknown_ones()
    {
        var blended = Sample().Blend(["attr:platform=ios", "attr:age=18-24", "attr:unknown=x"], 10);
        // a: (0.5 + 0.25) / 2, c: 0.75 / 2, b: 0.25 / 2 — "a" is popular in both cohorts.
        Assert.Equal(["a", "c", "b"], blended.Select(b => b.ItemId));
        Assert.Equal(0.375, blended[0].Score, 6);
        Assert.Equal("attr:platform=ios", blended[0].Label);
        Assert.Empty(Sample().Blend(["attr:unknown=x"], 10));
        Assert.Equal(["c", "b"], Sample().Blend(["attr:platform=ios", "attr:age=18-24"], 10, id => id != "a").Select(b => b.ItemId));
    }

    [Fact]
    public void Encoding_an_item_outside_the_bundle_is_refused()
    {
        var table = new CohortTable([new Cohort("attr:k=v", 5, [("not-in-bundle", 0.5f)])]);
        Assert.Throws<ArgumentException>(() => CohortTableFormat.Encode(table, Items));
    }

    [Fact]
    public void Every_prefix_and_every_appended_byte_is_refused()
    {
        byte[] bytes = CohortTableFormat.Encode(Sample(), Items);
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => CohortTableFormat.Decode(bytes.AsSpan(0, length), Items));
        }
        Assert.Throws<InvalidDataException>(() => CohortTableFormat.Decode([.. bytes, 0], Items));
    }

    [Fact]
    public void Every_single_byte_change_decodes_to_a_bounded_table_or_is_refused()
    {
        byte[] bytes = CohortTableFormat.Encode(Sample(), Items);
        int refused = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            foreach (byte flip in new byte[] { 0x01, 0x80, 0xFF })
            {
                byte[] damaged = (byte[])bytes.Clone();
                damaged[i] ^= flip;
                try
                {
                    var table = CohortTableFormat.Decode(damaged, Items);
                    Assert.All(table.Cohorts.Values, c => Assert.All(c.Items, item =>
                    {
                        Assert.Contains(item.ItemId, Items);
                        Assert.InRange(item.Share, 0f, 1f);
                    }));
                }
                catch (InvalidDataException)
                {
                    refused++;
                }
            }
        }
        Assert.True(refused > bytes.Length, $"only {refused} of {bytes.Length * 3} damaged tables refused");
    }

    [Fact]
    public void A_declared_count_beyond_the_bounds_is_refused_before_reading_on()
    {
        byte[] bytes = CohortTableFormat.Encode(Sample(), Items);
        byte[] huge = (byte[])bytes.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(6), uint.MaxValue);
        var error = Assert.Throws<InvalidDataException>(() => CohortTableFormat.Decode(huge, Items));
        Assert.Contains("cohorts", error.Message);
    }
}
