namespace OnDeviceReco.Trainer.Synthetic;

/// <summary>
/// A synthetic catalogue where one user attribute truly matters, for measuring the cold-start path (MovieLens has
/// no user attributes). <c>items</c> items with Zipf popularity (exponent 1) over a random order; <c>segments</c>
/// values of the attribute <c>segment</c>, each with its own Zipf order; a user draws each interaction from their
/// segment's order with probability <c>strength</c>, else from the global one, and never the same item twice. Every
/// user also has a <c>platform</c> (3 values) that has no effect at all, so blending an uninformative attribute is
/// measured too. About half the users searched their segment's name (<c>genre-k</c>).
/// </summary>
public sealed class AttributeWorld
{
    /// <summary>One synthetic user.</summary>
    public sealed record User(int Segment, int Platform, bool Searched, int[] Items);

    public AttributeWorld(int users, int items, int segments, int perUser, double strength, int seed)
    {
        var random = new Random(seed);
        var global = Zipf(items, random);
        var bySegment = Enumerable.Range(0, segments).Select(_ => Zipf(items, random)).ToArray();
        Users = Enumerable.Range(0, users).Select(_ =>
        {
            int segment = random.Next(segments);
            var chosen = new List<int>(perUser);
            var seen = new HashSet<int>();
            while (chosen.Count < perUser)
            {
                int item = (random.NextDouble() < strength ? bySegment[segment] : global).Draw(random);
                if (seen.Add(item))
                {
                    chosen.Add(item);
                }
            }
            return new User(segment, random.Next(3), random.Next(2) == 0, [.. chosen]);
        }).ToList();
    }

    public IReadOnlyList<User> Users { get; }

    /// <summary>Item id of index <paramref name="item"/> (1-based).</summary>
    public static string ItemId(int item) => $"item-{item}";

    private static Sampler Zipf(int items, Random random)
    {
        var order = Enumerable.Range(1, items).OrderBy(_ => random.Next()).ToArray();
        var cumulative = new double[items];
        double total = 0;
        for (int rank = 0; rank < items; rank++)
        {
            total += 1.0 / (rank + 1);
            cumulative[rank] = total;
        }
        return new Sampler(order, cumulative, total);
    }

    private sealed record Sampler(int[] Order, double[] Cumulative, double Total)
    {
        public int Draw(Random random)
        {
            int rank = Array.BinarySearch(Cumulative, random.NextDouble() * Total);
            return Order[Math.Min(rank < 0 ? ~rank : rank, Order.Length - 1)];
        }
    }
}
