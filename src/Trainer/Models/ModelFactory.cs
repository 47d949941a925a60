using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Models;

/// <summary>Builds the model a config names, sized to a vocabulary.</summary>
public static class ModelFactory
{
    /// <exception cref="ArgumentException">A text recipe on a vocabulary without text vectors for every item.</exception>
    public static SequenceModel Create(ModelConfig config, ItemVocabulary items)
    {
        ArgumentNullException.ThrowIfNull(config);
        ItemTextInput? text = null;
        if (config.UseText)
        {
            text = items.HasTextVectors
                ? new ItemTextInput(items.TextVectors!, items.TextDimension)
                : throw new ArgumentException(
                    $"Recipe '{config.Name}' represents items by their text, and the vocabulary has no text vectors for its {items.Count} items: attach them first (Text.ItemTextVectors.Attach).",
                    nameof(items));
        }
        return config.Architecture switch
        {
            "sasrec" => new SasRec(config, items.TableSize, items.GenreMatrix(), items.GenreCount, text),
            "gru" => new Gru4Rec(config, items.TableSize, items.GenreMatrix(), items.GenreCount, text),
            _ => throw new ArgumentException($"Unknown architecture '{config.Architecture}'.", nameof(config)),
        };
    }
}
