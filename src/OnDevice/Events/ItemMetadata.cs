namespace OnDeviceReco;

/// <summary>What the app knows about an item, used for content features and category affinities.</summary>
/// <param name="ItemId">The item's id (same rules as event item ids).</param>
/// <param name="Categories">Categories or genres, e.g. "Action", "Puzzle". At most <see cref="InputLimits.MaxCategories"/>.</param>
/// <param name="Attributes">Free-form attributes (title, price tier…). At most <see cref="InputLimits.MaxAttributes"/>.</param>
public sealed record ItemMetadata(
    string ItemId,
    IReadOnlyList<string> Categories,
    IReadOnlyDictionary<string, string>? Attributes = null)
{
    internal void Validate()
    {
        EventValidator.ValidateText(ItemId, nameof(ItemId), InputLimits.MaxIdBytes);
        if (Categories is null)
        {
            throw new InvalidEventException(nameof(Categories), InvalidInputReason.Null, "Categories must not be null (use an empty list).");
        }
        if (Categories.Count > InputLimits.MaxCategories)
        {
            throw new InvalidEventException(nameof(Categories), InvalidInputReason.TooManyEntries,
                $"An item has at most {InputLimits.MaxCategories} categories.");
        }
        foreach (var category in Categories)
        {
            EventValidator.ValidateText(category, "category", InputLimits.MaxContextKeyBytes);
            if (category.Contains(CategorySeparator, StringComparison.Ordinal))
            {
                throw new InvalidEventException("category", InvalidInputReason.InvalidText,
                    $"A category must not contain '{CategorySeparator}'.");
            }
        }
        if (Attributes is { Count: > InputLimits.MaxAttributes })
        {
            throw new InvalidEventException(nameof(Attributes), InvalidInputReason.TooManyEntries,
                $"An item has at most {InputLimits.MaxAttributes} attributes.");
        }
        foreach (var (key, value) in Attributes ?? TextMap.Empty)
        {
            EventValidator.ValidateText(key, "attribute key", InputLimits.MaxContextKeyBytes);
            EventValidator.ValidateText(value, "attribute value", InputLimits.MaxContextValueBytes);
        }
    }

    /// <summary>Categories are stored joined by this character, so it may not appear inside one.</summary>
    internal const string CategorySeparator = "|";

    internal static string[] SplitCategories(string? joined) =>
        string.IsNullOrEmpty(joined) ? [] : joined.Split(CategorySeparator);
}
