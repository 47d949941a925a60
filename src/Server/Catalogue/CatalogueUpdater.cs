using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OnDeviceReco.Protocol;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Text;

namespace OnDeviceReco.Server.Catalogue;

/// <summary>
/// New items without retraining: items in the catalogue (<see cref="ServerOptions.CatalogueDirectory"/>, with
/// <see cref="CatalogueAdditions.FileName"/>) that the serving bundle lacks are placed by the serving model's own rule
/// for an item it never trained on (<see cref="NewItemProjector"/>, saved beside each trained version: its text adaptor
/// on the item's sentence vector, plus its genre projection) and appended to a copy of the serving bundle — same
/// ONNX graph (the compact bundle's graph takes item vectors as input, so it does not depend on the item count), the
/// existing table rows byte for byte, the new rows quantised alike — which is signed and published as the next version,
/// marked as a catalogue update in its manifest. Devices download it as any version.
/// </summary>
public sealed class CatalogueUpdater(ServerOptions options, ModelRegistry registry, ModelSigning signing, ExperimentBook experiments,
    ServerTextVectors textVectors, ILogger<CatalogueUpdater> log)
{
    private readonly Lock _oneAtATime = new();
    private string? _lastProblem;
    private CatalogueUpdateOutcome? _last;

    /// <summary>Why the last update from the directory could not run (a bad row, no projector), for the dashboard; null after one that could.</summary>
    public string? LastProblem => Volatile.Read(ref _lastProblem);

    /// <summary>The last update that published a version or stored rows.</summary>
    public CatalogueUpdateOutcome? Last => Volatile.Read(ref _last);

    /// <summary>
    /// Stores <paramref name="adding"/> (none: only what the directory already lists) and publishes a version holding
    /// every catalogue item the serving bundle lacks.
    /// </summary>
    /// <exception cref="CatalogueRowException">A row of <paramref name="adding"/> is bad or its id is taken; nothing was stored.</exception>
    /// <exception cref="CatalogueUnavailableException">No catalogue directory, or its files do not read; nothing was stored.</exception>
    public CatalogueUpdateOutcome Apply(IReadOnlyList<CatalogueRow>? adding = null)
    {
        lock (_oneAtATime)
        {
            long clock = Stopwatch.GetTimestamp();
            string directory = options.CatalogueDirectory
                ?? throw new CatalogueUnavailableException("The server has no catalogue: set Reco:CatalogueDirectory to the directory whose movies.csv lists the items.");
            var catalogue = Load(directory);
            if (adding is { Count: > 0 })
            {
                Check(adding, catalogue);
                CatalogueAdditions.Append(Path.Combine(directory, CatalogueAdditions.FileName), adding);
                foreach (var row in adding)
                {
                    catalogue.Add(row.Id, row.Title, row.Categories, row.Description);
                }
            }
            int stored = adding?.Count ?? 0;
            var outcome = Publish(catalogue, stored, clock);
            Volatile.Write(ref _lastProblem, null);
            if (outcome.Version is not null || outcome.Pending)
            {
                Volatile.Write(ref _last, outcome);
            }
            return outcome;
        }
    }

    /// <summary>Runs <see cref="Apply"/> for what the directory lists, keeping a failure for the dashboard instead of throwing.</summary>
    public CatalogueUpdateOutcome? ApplyDirectory()
    {
        try
        {
            return Apply();
        }
        catch (CatalogueUnavailableException e)
        {
            Volatile.Write(ref _lastProblem, e.Message);
            throw;
        }
    }

    private static ItemVocabulary Load(string directory)
    {
        try
        {
            return MovieLensSource.LoadCatalogue(directory);
        }
        catch (DataFormatException e)
        {
            throw new CatalogueUnavailableException($"The catalogue directory does not read, so nothing was added and the serving version stays: {e.Message}");
        }
        catch (IOException e)
        {
            throw new CatalogueUnavailableException($"The catalogue directory does not read: {e.Message}");
        }
    }

    private static void Check(IReadOnlyList<CatalogueRow> adding, ItemVocabulary catalogue)
    {
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < adding.Count; i++)
        {
            var row = adding[i] ?? throw new CatalogueRowException(i + 1, "", "the row is null");
            if (CatalogueAdditions.Problem(row) is { } problem)
            {
                throw new CatalogueRowException(i + 1, row.Id ?? "", problem);
            }
            if (catalogue.TryGetIndex(row.Id, out _))
            {
                throw new CatalogueRowException(i + 1, row.Id, "the id is already in the catalogue");
            }
            if (!rows.TryAdd(row.Id, i + 1))
            {
                throw new CatalogueRowException(i + 1, row.Id, $"duplicate id: row {rows[row.Id]} has it too");
            }
        }
    }

    private CatalogueUpdateOutcome Publish(ItemVocabulary catalogue, int stored, long clock)
    {
        CatalogueUpdateOutcome NotPublished(long? baseVersion, string note, bool pending = true) =>
            new(stored, null, baseVersion, 0, "none", Stopwatch.GetElapsedTime(clock).TotalSeconds, note, pending);

        if (registry.Serving is not { } serving)
        {
            return NotPublished(null, "No model serves yet: the first trained version includes the catalogue's items.");
        }
        long baseVersion = serving.ModelVersion;
        var bundle = registry.VerifyPublished(baseVersion);
        var known = bundle.Manifest.Items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var missing = Enumerable.Range(1, catalogue.Count).Where(i => !known.Contains(catalogue.IdOf(i))).ToList();
        if (missing.Count == 0)
        {
            return NotPublished(baseVersion, $"Every catalogue item is in the serving v{baseVersion} already.", pending: false);
        }
        if (experiments.Running is { } running)
        {
            return NotPublished(baseVersion, $"Experiment '{running.Id}' is running: the items are added once it is decided (the control and treatment must not change under it).");
        }
        string projectorPath = registry.ProjectorPath(baseVersion);
        if (!File.Exists(projectorPath))
        {
            return NotPublished(baseVersion, $"v{baseVersion} has no new-item projector on this node (trained elsewhere or before catalogue updates existed): the next retraining includes the items.");
        }
        var projector = NewItemProjector.Load(projectorPath);
        if (!projector.HasText && !projector.HasContent)
        {
            return NotPublished(baseVersion, $"v{baseVersion}'s recipe has neither text nor categories to place an item by: the next retraining includes the items.");
        }
        if (!bundle.Files.TryGetValue(BundleFileNames.CompactItemTable, out var table) || !bundle.Files.TryGetValue(BundleFileNames.CompactItemResiduals, out var residuals))
        {
            return NotPublished(baseVersion, $"v{baseVersion} carries a float item table inside its graph, not a compact table: the next retraining includes the items.");
        }
        float[][] vectors = projector.HasText
            ? textVectors.Vectors(missing.Select(i => ItemText.Of(catalogue, i)).ToList())
            : new float[missing.Count][];
        var inputs = missing.Select((index, n) => new NewItemInput(projector.HasText ? vectors[n] : null,
            catalogue.GenresOf(index).Select(g => catalogue.GenreNames[g]).ToArray())).ToList();
        float[] rows = projector.Rows(inputs);
        var manifest = bundle.Manifest;
        var grown = CompactTableAppender.Append(table, residuals, manifest.Items.Count + 1, manifest.EmbeddingDimension, rows);
        var files = bundle.Files.Where(f => f.Key != BundleFileNames.ItemList).ToDictionary(StringComparer.Ordinal);
        files[BundleFileNames.CompactItemTable] = grown.Table;
        files[BundleFileNames.CompactItemResiduals] = grown.Residuals;
        var items = manifest.Items.Concat(missing.Select(i => new BundleItem(catalogue.IdOf(i), catalogue.TitleOf(i),
            catalogue.GenresOf(i).Select(g => catalogue.GenreNames[g]).ToArray()))).ToList();
        string vectorKind = projector.HasText ? "text" : "content";
        var metrics = new Dictionary<string, double>(manifest.Metrics ?? new Dictionary<string, double>(), StringComparer.Ordinal)
        {
            ["catalogue_update_of"] = baseVersion,
            ["catalogue_items_added"] = missing.Count,
        };
        lock (registry.VersionLock)
        {
            long version = registry.NextVersion();
            BundleSigner.WriteBundle(registry.BundleDirectory(version), manifest with
            {
                ModelVersion = version,
                CreatedAt = DateTimeOffset.UtcNow,
                Items = items,
                Metrics = metrics,
                CatalogueUpdate = new CatalogueUpdate(baseVersion, missing.Count),
                Files = new Dictionary<string, string>(StringComparer.Ordinal),
                KeyId = "",
            }, files, signing.Key);
            // The same model places the next catalogue update's items too.
            File.Copy(projectorPath, registry.ProjectorPath(version), overwrite: true);
            double seconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
            string reason = string.Create(CultureInfo.InvariantCulture,
                $"published: catalogue update of v{baseVersion}: {missing.Count} item(s) added ({string.Join(", ", missing.Take(5).Select(catalogue.IdOf))}{(missing.Count > 5 ? ", …" : "")}), placed by {(projector.HasText ? "the model's text adaptor on their text" : "the model's genre projection alone (its recipe has no text path)")}; no retraining, {seconds:0.00} s");
            registry.Publish(registry.Verify(version), JsonSerializer.Serialize(metrics), reason);
            log.LogInformation("Published model v{Version}: {Reason}", version, reason);
            return new CatalogueUpdateOutcome(stored, version, baseVersion, missing.Count, vectorKind, seconds, reason);
        }
    }
}
