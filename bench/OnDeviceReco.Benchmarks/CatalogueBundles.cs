using OnDeviceReco.Protocol;
using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using static TorchSharp.torch;

namespace OnDeviceReco.Benchmarks;

/// <summary>
/// Signed bundles of one SASRec (d=64, L=50, 2 blocks, generated weights) whose item table is a
/// <see cref="ClusteredItemTable"/> (scaled by 1/√d, the model's initial scale): the compact kind (int8 table,
/// user-vector graph) and the exact kind (float32 table in the graph). Written once per size under the temp
/// directory and reused, because BenchmarkDotNet runs every case in a fresh process and a million-item export
/// takes a while.
/// </summary>
internal sealed class CatalogueBundles
{
    public const int Dimension = 64;
    public const int Seed = 14;

    private CatalogueBundles(string root, int items)
    {
        Root = root;
        Items = items;
    }

    public string Root { get; }
    public int Items { get; }
    public string Compact => Path.Combine(Root, "compact");
    public string Exact => Path.Combine(Root, "exact");
    public string PublicKeyPem => File.ReadAllText(Path.Combine(Root, "key.pem.pub"));

    /// <summary>The generator behind the table, rebuilt from its seed (the bundles hold the same rows, scaled).</summary>
    public ClusteredItemTable Generator() => new(Items, Dimension, Seed);

    public static string ItemId(int index) => $"sku-{index}";

    public static CatalogueBundles Get(int items)
    {
        string root = Path.Combine(Path.GetTempPath(), "odr-bench-catalogue", $"v2-{items}");
        var bundles = new CatalogueBundles(root, items);
        if (!File.Exists(Path.Combine(root, "done")))
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
            Directory.CreateDirectory(root);
            bundles.Write();
            File.WriteAllText(Path.Combine(root, "done"), "");
        }
        return bundles;
    }

    private void Write()
    {
        TorchRuntime.Configure(1, 3);
        var items = new ItemVocabulary();
        for (int i = 1; i <= Items; i++)
        {
            items.Add(ItemId(i), null, ["g"]);
        }
        var config = ModelConfig.Catalogue.First(c => c.Name == "sasrec") with { Dimension = Dimension };
        using var model = ModelFactory.Create(config, items);
        var table = Generator().Table;
        float shrink = 1 / MathF.Sqrt(Dimension);
        for (int i = 0; i < table.Length; i++)
        {
            table[i] *= shrink;
        }
        using (no_grad())
        {
            model.ItemEmbedding.weight!.copy_(tensor(table, [Items + 1, Dimension]));
            model.Content.weight!.zero_();
        }
        var data = new InteractionData("generated", ["u"], [Enumerable.Range(1, 60).ToArray()], items);
        using var key = ModelBundleWriter.LoadOrCreateKey(Path.Combine(Root, "key.pem"), out _);
        var metrics = new Dictionary<string, double>();
        ModelBundleWriter.Write(Compact, model, data, 1, metrics, key, DateTimeOffset.UtcNow);
        ModelBundleWriter.Write(Exact, model, data, 1, metrics, key, DateTimeOffset.UtcNow, compactItemTable: false);
    }

    /// <summary>Bytes on disk of every file in <paramref name="bundle"/>.</summary>
    public static long SizeOnDisk(string bundle) => Directory.GetFiles(bundle).Sum(f => new FileInfo(f).Length);
}
