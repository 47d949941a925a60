using OnDeviceReco.Protocol;
using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.EndToEnd.Tests;

/// <summary>
/// Trains a small SASRec for real on a learnable rule (after item i comes item i+1, around a ring of 40
/// items in 4 genres) and writes two signed bundles (v1, v2; compact item table, the default) plus the key
/// that signed them, and v1 again in the exact format (float32 table in the graph) of bundles without one.
/// </summary>
public sealed class BundleFixture : IDisposable
{
    public const int Items = 40;
    public static readonly string[] Genres = ["Action", "Puzzle", "Racing", "Sports"];
    private static readonly Lock Training = new();

    public BundleFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "odr-e2e", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Data = SyntheticData();
        Config = new ModelConfig { Name = "sasrec", Architecture = "sasrec", Dimension = 32, Blocks = 2, Heads = 2, MaxLength = 10, BatchSize = 16, Dropout = 0.1, LearningRate = 3e-3 };
        // The same model in every run and every test class: libtorch's random generator and thread pool are
        // process-wide, and the classes using this fixture build theirs in parallel. One at a time, seeded right
        // before, on one thread (a parallel sum may add in another order), so no test depends on how a run went.
        lock (Training)
        {
            TorchRuntime.Configure(1, 11);
            Model = ModelFactory.Create(Config, Data.Items);
            new SequenceTrainer(Model, 11).Train(Data.Sequences, validate: null, epochs: 40);
        }
        using var key = BundleSigner.CreateKey();
        PublicKeyPem = BundleSigner.ExportPublicKeyPem(key);
        PrivateKeyPem = BundleSigner.ExportPrivateKeyPem(key);
        var metrics = new Dictionary<string, double>();
        V1 = Path.Combine(Root, "v1");
        V2 = Path.Combine(Root, "v2");
        ModelBundleWriter.Write(V1, Model, Data, 1, metrics, key, DateTimeOffset.UtcNow);
        ModelBundleWriter.Write(V2, Model, Data, 2, metrics, key, DateTimeOffset.UtcNow);
        V1Exact = Path.Combine(Root, "v1-exact");
        ModelBundleWriter.Write(V1Exact, Model, Data, 1, metrics, key, DateTimeOffset.UtcNow, compactItemTable: false);
    }

    public string Root { get; }
    public InteractionData Data { get; }
    public ModelConfig Config { get; }
    public SequenceModel Model { get; }
    public string PublicKeyPem { get; }
    /// <summary>The signing key, for tests that re-sign a bundle they changed (a trusted but broken bundle).</summary>
    public string PrivateKeyPem { get; }
    public string V1 { get; }
    public string V2 { get; }
    public string V1Exact { get; }

    public static string ItemId(int i) => $"game-{((i % Items) + Items) % Items}";

    public static string GenreOf(int i) => Genres[(((i % Items) + Items) % Items) % Genres.Length];

    private static InteractionData SyntheticData()
    {
        var items = new ItemVocabulary();
        for (int i = 0; i < Items; i++)
        {
            items.Add(ItemId(i), $"Game {i}", [GenreOf(i)]);
        }
        var random = new Random(5);
        var users = new List<string>();
        var sequences = new List<int[]>();
        for (int u = 0; u < 300; u++)
        {
            int start = random.Next(Items);
            int length = random.Next(4, 16);
            users.Add($"u{u}");
            sequences.Add(Enumerable.Range(start, length).Select(i => items.Add(ItemId(i))).ToArray());
        }
        return new InteractionData("ring", users, sequences, items);
    }

    public void Dispose()
    {
        Model.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
