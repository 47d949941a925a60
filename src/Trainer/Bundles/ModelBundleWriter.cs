using System.Security.Cryptography;
using OnDeviceReco.Protocol;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Evaluation;
using OnDeviceReco.Trainer.Export;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Text;

namespace OnDeviceReco.Trainer.Bundles;

/// <summary>
/// Turns a trained model into a signed bundle a device can verify: model.onnx + manifest + signature, and the item
/// table. By default the table goes in compact (<see cref="BundleFileNames.CompactItemTable"/>, int8 + per-row
/// scales, and <see cref="BundleFileNames.CompactItemResiduals"/>, 2 more bits per value: a third of float32) with a
/// user-vector-only graph, so devices search it in two stages, and the item list as <see cref="BundleFileNames.ItemList"/>
/// (manifest format 2) instead of JSON;
/// <c>compactItemTable: false</c> writes the exact kind (the graph scores its float32 table, plus
/// <see cref="BundleFileNames.ItemEmbeddings"/>, manifest format 1) that devices without the compact search also load. With a
/// cohort table (<see cref="Cohorts.CohortPopularityBuilder"/>) the bundle also carries <see cref="BundleFileNames.CohortPopularity"/>;
/// when the items have sentence vectors attached, the manifest carries newcomers' questions (<see cref="TextOnboardingQuestions"/>).
/// </summary>
public static class ModelBundleWriter
{
    /// <summary>How many popular item ids the manifest carries for the device's cold-start fallback.</summary>
    public const int PopularityListLength = 1_000;


    public static BundleManifest Write(string directory, SequenceModel model, InteractionData data, long modelVersion,
        IReadOnlyDictionary<string, double> metrics, ECDsa signingKey, DateTimeOffset createdAt, bool compactItemTable = true,
        Protocol.Cohorts.CohortTable? cohorts = null, IReadOnlySet<string>? popularItems = null)
    {
        var items = data.Items;
        var bundleItems = Enumerable.Range(1, items.Count)
            .Select(i => new BundleItem(items.IdOf(i), items.TitleOf(i), items.GenresOf(i).Select(g => items.GenreNames[g]).ToArray()))
            .ToList();
        var counts = PopularityScorer.UserCounts(data.Sequences, items.TableSize);
        var popular = Enumerable.Range(1, items.Count)
            .Where(i => counts[i] > 0 && popularItems?.Contains(items.IdOf(i)) != false)
            .OrderByDescending(i => counts[i]).ThenBy(i => i)
            .Take(PopularityListLength)
            .Select(items.IdOf)
            .ToList();
        var manifest = new BundleManifest
        {
            // The compact kind needs a current SDK anyway, so it also carries the item list as items.bin (read in place);
            // the exact kind keeps the JSON list every SDK version reads.
            FormatVersion = compactItemTable ? BundleManifest.ItemListFormatVersion : BundleManifest.CurrentFormatVersion,
            ModelVersion = modelVersion,
            CreatedAt = createdAt,
            Architecture = model.Config.Architecture,
            MaxSequenceLength = model.Config.MaxLength,
            EmbeddingDimension = model.RowWidth,
            Items = bundleItems,
            Popularity = popular,
            // With the items' sentence vectors at hand, newcomers' questions cover the text space (the device never runs the text model).
            Onboarding = items.HasTextVectors
                ? TextOnboardingQuestions.Choose(items, counts, i => popularItems?.Contains(items.IdOf(i)) != false).Select(items.IdOf).ToList()
                : null,
            Metrics = metrics,
        };
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [BundleFileNames.Model] = OnnxExporter.Export(model, userVectorOnly: compactItemTable),
        };
        var table = ItemTable(model);
        if (compactItemTable)
        {
            files[BundleFileNames.CompactItemTable] = CompactTableEncoder.Encode(table, model.RowWidth);
            files[BundleFileNames.CompactItemResiduals] = CompactTableEncoder.EncodeResiduals(table, model.RowWidth);
        }
        else
        {
            files[BundleFileNames.ItemEmbeddings] = FloatBytes(table);
        }
        if (cohorts is not null)
        {
            // Signed and hashed like every file: the device decodes it only from the verified bytes.
            files[BundleFileNames.CohortPopularity] = Protocol.Cohorts.CohortTableFormat.Encode(cohorts, bundleItems.Select(i => i.Id).ToList());
        }
        return BundleSigner.WriteBundle(directory, manifest, files, signingKey);
    }

    private static float[] ItemTable(SequenceModel model)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var _ = TorchSharp.torch.no_grad();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            return model.ItemTable().contiguous().data<float>().ToArray();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static byte[] FloatBytes(float[] table)
    {
        var bytes = new byte[table.Length * sizeof(float)];
        for (int i = 0; i < table.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), table[i]);
        }
        return bytes;
    }

    /// <summary>Loads the signing key from <paramref name="path"/>, or creates one there (and its public half beside it).</summary>
    public static ECDsa LoadOrCreateKey(string path, out bool created)
    {
        if (File.Exists(path))
        {
            created = false;
            return BundleSigner.ImportPrivateKeyPem(File.ReadAllText(path));
        }
        var key = BundleSigner.CreateKey();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Created owner-only from the first byte: the private key is never readable by others, even briefly.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options))
        {
            writer.Write(BundleSigner.ExportPrivateKeyPem(key));
        }
        File.WriteAllText(path + ".pub", BundleSigner.ExportPublicKeyPem(key));
        created = true;
        return key;
    }
}
