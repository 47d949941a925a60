using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>The reasons shown with model, content and exploration recommendations.</summary>
internal static class Explanations
{
    /// <summary>An exploration slot's reason.</summary>
    public const string Exploration = "Something new to try";

    /// <summary>
    /// "Because you played X": the item of <paramref name="history"/> (model indices, with their events) most similar to
    /// the recommended <paramref name="index"/>; <paramref name="historyRows"/> are the history's unit rows when the model
    /// has item vectors (then the similarity is their cosine), else null (category overlap).
    /// </summary>
    public static string BecauseYou(LoadedModel model, int index, IReadOnlyList<int> history, IReadOnlyList<RecentItem> events, UnitRows? historyRows)
    {
        int best = history.Count - 1;
        float bestSimilarity = float.NegativeInfinity;
        Span<float> row = stackalloc float[historyRows is null ? 0 : model.Dimension];
        if (historyRows is not null)
        {
            model.UnitRow(index, row);
        }
        for (int h = 0; h < history.Count; h++)
        {
            float similarity = historyRows is not null
                ? System.Numerics.Tensors.TensorPrimitives.Dot(row, historyRows[h])
                : model.Similarity(index, history[h]);
            if (similarity > bestSimilarity)
            {
                bestSimilarity = similarity;
                best = h;
            }
        }
        return $"Because you {Verb(events[best].Type)} {model.Title(history[best])}";
    }

    /// <summary>A content-scored item's reason: the category of it the user likes most.</summary>
    public static string Taste(string? category) => $"Matches your taste for {category}";

    /// <summary>A cohort pick's reason: what the user shares with the people who chose it.</summary>
    public static string Cohort(string label) =>
        label.StartsWith("attr:", StringComparison.Ordinal) ? $"Popular with people who share your {label[5..].Replace("=", " = ", StringComparison.Ordinal)}"
        : label.StartsWith("search:", StringComparison.Ordinal) ? $"Popular with people who searched {label[7..]}"
        : $"Popular with people like you ({label})";

    /// <summary>Words for "because you …" explanations.</summary>
    public static string Verb(EventType type) => type switch
    {
        EventType.View => "viewed",
        EventType.Click => "opened",
        EventType.Play => "played",
        EventType.Purchase => "bought",
        EventType.Rate => "rated",
        EventType.Dwell => "spent time on",
        _ => "chose",
    };
}
