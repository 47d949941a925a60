using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Models;

/// <summary>Builds the model a config names, sized to a vocabulary.</summary>
public static class ModelFactory
{
    public static SequenceModel Create(ModelConfig config, ItemVocabulary items) => config.Architecture switch
    {
        "sasrec" => new SasRec(config, items.TableSize, items.GenreMatrix(), items.GenreCount),
        "gru" => new Gru4Rec(config, items.TableSize, items.GenreMatrix(), items.GenreCount),
        _ => throw new ArgumentException($"Unknown architecture '{config.Architecture}'.", nameof(config)),
    };
}
