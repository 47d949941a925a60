using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Text;

/// <summary>
/// The items a bundle proposes to ask newcomers about, in order, chosen on the server because the device never runs the
/// text model: greedy coverage of the catalogue's text space weighted by popularity. Each step takes the popular item
/// whose answer is likeliest to tell the most: P(a newcomer knows it) — its share of users — times how much more of
/// the played catalogue it covers, Σ over played items j of plays(j) × the rise of j's best cosine to a chosen item
/// (facility location on the sentence vectors). Covering what is played, not every title, keeps the questions where
/// newcomers' tastes are.
/// </summary>
public static class TextOnboardingQuestions
{
    /// <summary>Questions a bundle carries: more than a newcomer who knows few of them is asked before giving up.</summary>
    public const int DefaultLength = 100;

    /// <summary>The most popular items considered: beyond them few newcomers can answer.</summary>
    public const int DefaultHead = 500;

    /// <summary>
    /// Item indices (1..Count) in the order to ask them; empty without text vectors or plays.
    /// </summary>
    /// <param name="items">The vocabulary, with its text vectors attached (<see cref="ItemTextVectors.Attach"/>).</param>
    /// <param name="users">Per item index, how many users played it (index 0 unused).</param>
    /// <param name="allowed">Items that may be asked (e.g. those k devices share); null for all.</param>
    public static IReadOnlyList<int> Choose(ItemVocabulary items, IReadOnlyList<int> users, Func<int, bool>? allowed = null,
        int length = DefaultLength, int head = DefaultHead)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(users);
        if (!items.HasTextVectors)
        {
            return [];
        }
        var vectors = items.TextVectors!;
        int dimension = items.TextDimension;
        var played = Enumerable.Range(1, items.Count).Where(i => users[i] > 0).ToArray();
        var candidates = played.Where(i => allowed?.Invoke(i) != false)
            .OrderByDescending(i => users[i]).ThenBy(i => i).Take(head).ToArray();
        if (candidates.Length == 0)
        {
            return [];
        }
        double top = users[candidates[0]];
        // similarity[c][j]: cosine (vectors are L2-normalised) of candidate c to played item j, floored at 0.
        var similarity = new float[candidates.Length][];
        Parallel.For(0, candidates.Length, c =>
        {
            var row = new float[played.Length];
            var a = vectors.AsSpan(candidates[c] * dimension, dimension);
            for (int j = 0; j < played.Length; j++)
            {
                row[j] = Math.Max(0, Dot(a, vectors.AsSpan(played[j] * dimension, dimension)));
            }
            similarity[c] = row;
        });
        var best = new float[played.Length];
        var chosen = new bool[candidates.Length];
        var order = new List<int>(Math.Min(length, candidates.Length));
        while (order.Count < Math.Min(length, candidates.Length))
        {
            int next = -1;
            double bestScore = double.NegativeInfinity;
            for (int c = 0; c < candidates.Length; c++)
            {
                if (chosen[c])
                {
                    continue;
                }
                double gain = 0;
                var row = similarity[c];
                for (int j = 0; j < played.Length; j++)
                {
                    if (row[j] > best[j])
                    {
                        gain += users[played[j]] * (double)(row[j] - best[j]);
                    }
                }
                double score = users[candidates[c]] / top * gain;
                if (score > bestScore)
                {
                    (bestScore, next) = (score, c);
                }
            }
            chosen[next] = true;
            order.Add(candidates[next]);
            var taken = similarity[next];
            for (int j = 0; j < played.Length; j++)
            {
                best[j] = Math.Max(best[j], taken[j]);
            }
        }
        return order;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}
