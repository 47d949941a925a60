using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Evaluation;

/// <summary>
/// Ranks the target among all items the user has not interacted with (full ranking; history and padding
/// excluded). Ties count half, i.e. the expected rank under a random tie-break, so a constant scorer gets no
/// free hits. Also reports sampled metrics against 100 random unseen negatives, for comparison with papers.
/// </summary>
public sealed class RankingEvaluator
{
    private const int BatchSize = 64;
    private const int SampledNegatives = 100;
    private readonly ItemVocabulary _items;
    private readonly double[] _selfInformation;

    /// <param name="items">The vocabulary (for genres in diversity).</param>
    /// <param name="trainSequences">Training data, for novelty (how many users know an item).</param>
    public RankingEvaluator(ItemVocabulary items, IReadOnlyList<int[]> trainSequences)
    {
        _items = items;
        var counts = PopularityScorer.UserCounts(trainSequences, items.TableSize);
        double users = trainSequences.Count;
        _selfInformation = counts.Select(c => -Math.Log2((c + 1) / (users + 1))).ToArray();
    }

    public RankingMetrics Evaluate(IScorer scorer, IReadOnlyList<(int[] History, int Target)> cases, int seed, bool beyondAccuracy = true)
    {
        var random = new Random(seed);
        double hr10 = 0, ndcg10 = 0, mrr = 0, recall20 = 0, sHr = 0, sNdcg = 0, diversity = 0, novelty = 0;
        var recommended = new HashSet<int>();
        ForEachUnseenRow(scorer, cases, _items.TableSize, (_, row, excluded, target) =>
        {
            double rank = Rank(row, excluded, target);
            if (rank < 10)
            {
                hr10++;
                ndcg10 += 1 / Math.Log2(rank + 2);
            }
            if (rank < 20)
            {
                recall20++;
            }
            mrr += 1 / (rank + 1);

            double sampledRank = SampledRank(row, excluded, target, random);
            if (sampledRank < 10)
            {
                sHr++;
                sNdcg += 1 / Math.Log2(sampledRank + 2);
            }
            if (beyondAccuracy)
            {
                // The list a user would see: the target is no different from any other unseen item here.
                var top = TopK(row, excluded, 10);
                recommended.UnionWith(top);
                diversity += IntraListDiversity(top);
                novelty += top.Average(i => _selfInformation[i]);
            }
        });
        int n = cases.Count;
        return new RankingMetrics(hr10 / n, ndcg10 / n, mrr / n, recall20 / n, sHr / n, sNdcg / n,
            recommended.Count / (double)_items.Count, diversity / n, novelty / n, n);
    }

    /// <summary>
    /// Scores <paramref name="cases"/> <see cref="BatchSize"/> at a time and hands each case's row to
    /// <paramref name="onRow"/> with the mask of what it ranks against: padding and the user's history excluded, the
    /// target always ranked (re-consumption happens in general logs). The mask is cleared again after each case.
    /// </summary>
    internal static void ForEachUnseenRow(IScorer scorer, IReadOnlyList<(int[] History, int Target)> cases, int tableSize, UnseenRow onRow)
    {
        var scores = new float[BatchSize * tableSize];
        var excluded = new bool[tableSize];
        for (int start = 0; start < cases.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, cases.Count - start);
            var histories = new int[count][];
            for (int b = 0; b < count; b++)
            {
                histories[b] = cases[start + b].History;
            }
            scorer.Score(histories, scores);
            for (int b = 0; b < count; b++)
            {
                var (history, target) = cases[start + b];
                excluded[0] = true;
                foreach (int item in history)
                {
                    excluded[item] = true;
                }
                excluded[target] = false;
                onRow(start + b, scores.AsSpan(b * tableSize, tableSize), excluded, target);
                foreach (int item in history)
                {
                    excluded[item] = false;
                }
            }
        }
    }

    /// <summary>One case's scores and its mask (<see cref="ForEachUnseenRow"/>).</summary>
    internal delegate void UnseenRow(int index, ReadOnlySpan<float> row, bool[] excluded, int target);

    /// <summary>The target's 0-based rank among the items not excluded: those scored higher, plus half the ties.</summary>
    internal static double Rank(ReadOnlySpan<float> row, bool[] excluded, int target)
    {
        float score = row[target];
        int greater = 0, ties = 0;
        for (int i = 0; i < row.Length; i++)
        {
            if (excluded[i] || i == target)
            {
                continue;
            }
            if (row[i] > score)
            {
                greater++;
            }
            else if (row[i] == score)
            {
                ties++;
            }
        }
        return greater + ties / 2.0;
    }

    private static double SampledRank(ReadOnlySpan<float> row, bool[] excluded, int target, Random random)
    {
        float score = row[target];
        var chosen = new HashSet<int>();
        int greater = 0, ties = 0;
        int available = row.Length - 1 - excluded.Count(e => e);
        int wanted = Math.Min(SampledNegatives, Math.Max(0, available));
        while (chosen.Count < wanted)
        {
            int item = random.Next(1, row.Length);
            if (excluded[item] || item == target || !chosen.Add(item))
            {
                continue;
            }
            if (row[item] > score)
            {
                greater++;
            }
            else if (row[item] == score)
            {
                ties++;
            }
        }
        return greater + ties / 2.0;
    }

    private static int[] TopK(ReadOnlySpan<float> row, bool[] excluded, int k)
    {
        var best = new PriorityQueue<int, float>(k + 1);
        for (int i = 1; i < row.Length; i++)
        {
            if (excluded[i])
            {
                continue;
            }
            if (best.Count < k)
            {
                best.Enqueue(i, row[i]);
            }
            else if (best.TryPeek(out _, out float lowest) && row[i] > lowest)
            {
                best.EnqueueDequeue(i, row[i]);
            }
        }
        var items = new int[best.Count];
        for (int i = items.Length - 1; i >= 0; i--)
        {
            items[i] = best.Dequeue();
        }
        return items;
    }

    /// <summary>Mean over item pairs of 1 − Jaccard similarity of their genre sets.</summary>
    private double IntraListDiversity(int[] items)
    {
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < items.Length; a++)
        {
            for (int b = a + 1; b < items.Length; b++)
            {
                var ga = _items.GenresOf(items[a]);
                var gb = _items.GenresOf(items[b]);
                int union = ga.Union(gb).Count();
                double jaccard = union == 0 ? 1 : ga.Intersect(gb).Count() / (double)union;
                sum += 1 - jaccard;
                pairs++;
            }
        }
        return pairs == 0 ? 0 : sum / pairs;
    }
}
