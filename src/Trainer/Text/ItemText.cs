using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Text;

/// <summary>
/// The text an item is understood by: its title, its categories and its description when the catalogue has one, in
/// that order (the encoder cuts long texts from the end, so a long description never pushes out the title).
/// </summary>
public static class ItemText
{
    public static string Of(string title, IEnumerable<string> categories, string? description)
    {
        var text = new System.Text.StringBuilder(title.Trim());
        var names = categories.ToArray();
        if (names.Length > 0)
        {
            text.Append(". Categories: ").Append(string.Join(", ", names));
        }
        if (!string.IsNullOrWhiteSpace(description))
        {
            text.Append(". ").Append(description.Trim());
        }
        return text.ToString();
    }

    /// <summary>Item <paramref name="index"/>'s text from the vocabulary.</summary>
    public static string Of(ItemVocabulary items, int index) =>
        Of(items.TitleOf(index), items.GenresOf(index).Select(g => items.GenreNames[g]), items.DescriptionOf(index));
}
