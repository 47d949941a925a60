using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Models;

/// <summary>A tiny catalogue with random "sentence" vectors and text recipes trained on it, for the text-path tests.</summary>
internal static class TinyTextModels
{
    public const int TextDimension = 16;
    public const int ItemCount = 24;

    /// <summary>Items 1–24 with random 16-d vectors drawn from <paramref name="random"/> (which the caller may go on using).</summary>
    public static ItemVocabulary Items(Random random)
    {
        var items = new ItemVocabulary();
        for (int i = 1; i <= ItemCount; i++)
        {
            items.Add($"item-{i}", $"Item {i}", ["All"]);
        }
        var vectors = new float[items.TableSize * TextDimension];
        for (int i = TextDimension; i < vectors.Length; i++)
        {
            vectors[i] = (float)(random.NextDouble() * 2 - 1);
        }
        items.AttachTextVectors(vectors, TextDimension);
        return items;
    }

    /// <summary><paramref name="recipe"/> at a tiny size (d 8, one block), trained 4 epochs from <paramref name="seed"/>.</summary>
    public static SequenceModel Trained(string recipe, InteractionData data, int seed, Func<ModelConfig, ModelConfig>? adjust = null)
    {
        TorchRuntime.Configure(1, seed);
        manual_seed(seed);
        var config = ModelCatalogue.Find(recipe) with
        {
            Dimension = 8, Blocks = 1, MaxLength = OnnxExportTests.Length, BatchSize = 8, LearningRate = 5e-3,
        };
        var model = ModelFactory.Create(adjust is null ? config : adjust(config), data.Items);
        new SequenceTrainer(model, seed: seed).Train(data.Sequences, validate: null, epochs: 4);
        return model;
    }
}
