using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using OnDeviceReco.Protocol;
using OnDeviceReco.Search;

namespace OnDeviceReco.Inference;

/// <summary>
/// A verified model bundle ready to serve: the ONNX Runtime session (warmed up), the vocabulary both ways
/// (<see cref="ItemList"/>), item categories and the item embedding table. Built only from a <see cref="VerifiedBundle"/>, so every
/// byte it uses was checked against the signed manifest.
/// <para>
/// Two kinds of bundle: the exact kind, whose graph scores the whole float32 table itself (Gemm + TopK); and
/// the compact kind (<see cref="BundleFileNames.CompactItemTable"/>), whose graph only turns the history into
/// a user vector and whose int8 table is searched here in two stages (<see cref="Search.CompactSearch"/>).
/// </para>
/// </summary>
internal sealed class LoadedModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new(); // read-only during runs, so one instance serves every call
    private readonly ConcurrentBag<ModelRunBuffers> _buffers = new();
    private readonly ConcurrentBag<UserVectorBuffers> _userBuffers = new();
    private readonly ConcurrentBag<ModelRunBuffers> _wideBuffers = new();
    private readonly ConcurrentBag<UserVectorBuffers> _wideUserBuffers = new();
    private readonly ConcurrentBag<RankedRow> _rankedRows = new();
    private readonly CompactItemTable? _compact;
    private readonly ItemList _items;
    private int _users = 1; // the loader's reference; disposal waits for every in-flight call
    private static long _loaded;
    private int _retired;

    private LoadedModel(VerifiedBundle bundle, InferenceOptions options)
    {
        var manifest = bundle.Manifest;
        Manifest = manifest;
        // A bundle of format 2 hands over the list read in place from items.bin; a JSON list is put in the same form.
        _items = ItemList.From(manifest.Items);
        ItemCount = _items.Count;
        TrainingPopularityRank = RankPopularity(manifest.Popularity);
        Dimension = manifest.EmbeddingDimension;
        SequenceLength = manifest.MaxSequenceLength;
        Candidates = Math.Min(options.CandidatePool, ItemCount);
        // Wraps the verified bytes in place: the compact table is held once, never copied.
        _compact = CompactItemTable.FromFiles(bundle.Files, ItemCount + 1, Dimension);
        // A compact bundle carries no float32 table: similarities come from its dequantised rows instead.
        Embeddings = _compact is null ? ReadEmbeddings(bundle, ItemCount + 1, Dimension) : null;
        Shortlist = Math.Min(Math.Max(Candidates + Candidates / 4, MinShortlist), ItemCount);
        BetterHalf = Math.Min((ItemCount + 1) / 2, MaxWideCandidates);
        WideCandidates = Math.Max(Candidates, BetterHalf);
        (_session, Provider, FallbackReason, _scoreRow) = CreateSession(bundle.ModelBytes, options, _compact is null);
    }

    /// <summary>
    /// The session, from the graph with its score row declared as an output (<see cref="ScoreRowOutput"/>) when it is an
    /// exact graph that has one; otherwise from the graph as it is, and wide runs sort in the graph.
    /// </summary>
    private static (InferenceSession, string, string?, bool) CreateSession(byte[] model, InferenceOptions options, bool exact)
    {
        if (exact)
        {
            try
            {
                var (session, provider, fallback) = SessionFactory.Create(ScoreRowOutput.Declare(model), options);
                if (session.OutputMetadata.ContainsKey(ScoreRowOutput.Name))
                {
                    return (session, provider, fallback, true);
                }
                session.Dispose();
            }
            catch (OnnxRuntimeException)
            {
                // A graph without that tensor: served as it is.
            }
        }
        var (plain, plainProvider, plainFallback) = SessionFactory.Create(model, options);
        return (plain, plainProvider, plainFallback, false);
    }

    /// <summary>True when the session also outputs the score row, so a wide run selects from it here.</summary>
    private readonly bool _scoreRow;

    public BundleManifest Manifest { get; }

    /// <summary>
    /// Tells this model apart from every other one loaded in the process, so what is mapped to its indices can be kept
    /// without holding a reference that would keep a swapped-out model alive.
    /// </summary>
    public long Serial { get; } = Interlocked.Increment(ref _loaded);
    /// <summary>Items the model knows: model indices 1…ItemCount (0 is padding).</summary>
    public int ItemCount { get; }

    /// <summary>The app's id of model index <paramref name="index"/> (1…<see cref="ItemCount"/>).</summary>
    public string ItemId(int index) => _items.Id(index - 1);

    /// <summary>The display title of model index <paramref name="index"/>, its id when it has none.</summary>
    public string Title(int index) => _items.Title(index - 1) ?? ItemId(index);

    /// <summary>The categories of model index <paramref name="index"/> (shared: do not modify).</summary>
    public IReadOnlyList<string> Categories(int index) => _items.Categories(index - 1);
    /// <summary>
    /// Each item's place in the bundle's popularity list (0 = the item most users had in training), or -1 when
    /// it is not on the list: how much evidence the model's estimate of the item rests on.
    /// </summary>
    public int[] TrainingPopularityRank { get; }

    /// <summary>Item embeddings normalised to unit length [items + 1, d], or null when the bundle has none.</summary>
    public float[]? Embeddings { get; }
    public int Dimension { get; }
    public int SequenceLength { get; }
    public int Candidates { get; }

    /// <summary>
    /// Rows the compact search's integer stage keeps for exact rescoring: the candidate pool and a quarter more,
    /// at least <see cref="MinShortlist"/>. The integer stage moves a true top-10 item a few places at most: with
    /// every row rescored, recall@10 on the MovieLens-trained table was the same as with this shortlist (docs/measurements.md).
    /// </summary>
    public int Shortlist { get; }

    private const int MinShortlist = 100;

    /// <summary>The better half of the catalogue: as many items as score above its median, at most <see cref="MaxWideCandidates"/>.</summary>
    public int BetterHalf { get; }

    /// <summary>
    /// Candidates of a wide run (<see cref="Run"/> with <c>wide</c>): <see cref="BetterHalf"/>, never fewer than
    /// <see cref="Candidates"/>. The same run scores every item anyway; a wide run only keeps and sorts more of them.
    /// </summary>
    public int WideCandidates { get; }

    /// <summary>Bounds a wide run's extra sorting on very large catalogues (a few milliseconds at 100,000 items otherwise).</summary>
    private const int MaxWideCandidates = 5_000;

    /// <summary>The int8 table of a compact bundle, or null for a bundle searched by its own graph.</summary>
    public CompactItemTable? CompactTable => _compact;
    public string Provider { get; }
    public string? FallbackReason { get; }

    /// <summary>Builds the session and runs it once so the first real call pays no warm-up.</summary>
    /// <exception cref="OnnxRuntimeException">When ONNX Runtime refuses the model.</exception>
    /// <exception cref="InvalidDataException">When the model's inputs or outputs are not the documented ones.</exception>
    public static LoadedModel Load(VerifiedBundle bundle, InferenceOptions options)
    {
        var model = new LoadedModel(bundle, options);
        try
        {
            model.CheckSignature();
            model.Run([], excludeSeen: true, out _);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public bool TryGetIndex(string itemId, out int index)
    {
        bool known = _items.TryGetPosition(itemId, out int position);
        index = position + 1;
        return known;
    }

    /// <summary>Takes a reference for one call; false once the model is retired (swapped out).</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            int users = Volatile.Read(ref _users);
            if (users == 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _users, users + 1, users) == users)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _users) == 0)
        {
            DisposeSession();
        }
    }

    /// <summary>Drops the loader's reference: the session closes when the last in-flight call releases it.</summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
        {
            Release();
        }
    }

    /// <summary>
    /// Runs the model on a history of model indices (oldest first; the newest <see cref="SequenceLength"/> are
    /// used) and copies the best <see cref="Candidates"/> (index, score) pairs, seen items excluded, into a new
    /// array (<see cref="WideCandidates"/> when <paramref name="wide"/>: still one run). The returned user vector is a
    /// copy too; the run buffers go back to the pool.
    /// </summary>
    public (int Index, float Score)[] Run(ReadOnlySpan<int> history, bool excludeSeen, out float[] userVector, bool wide = false) =>
        RunSession(history, excludeSeen, out userVector, wide, ranked: null);

    /// <summary>
    /// A wide run for exploration: the best <see cref="WideCandidates"/> entries, seen items excluded, ordered only where
    /// asked (<see cref="RankedRow"/>; rented, the caller disposes it), with the first <see cref="Candidates"/> in order in
    /// <see cref="RankedRow.Best"/>. Reading the graph's score row, nothing else is sorted; otherwise (a compact bundle,
    /// or a graph without the row) the run's ordered candidates are held as they are.
    /// </summary>
    public RankedRow RunWide(ReadOnlySpan<int> history, bool excludeSeen)
    {
        var ranked = _rankedRows.TryTake(out var pooled) ? pooled : new RankedRow(_rankedRows);
        try
        {
            if (_compact is null && _scoreRow)
            {
                RunSession(history, excludeSeen, out _, wide: true, ranked);
            }
            else
            {
                var ordered = Run(history, excludeSeen, out _, wide: true);
                ranked.FromOrdered(ordered);
                ranked.Best = ordered.Length <= Candidates ? ordered : ordered[..Candidates];
            }
            return ranked;
        }
        catch
        {
            ranked.Dispose();
            throw;
        }
    }

    private (int Index, float Score)[] RunSession(ReadOnlySpan<int> history, bool excludeSeen, out float[] userVector, bool wide, RankedRow? ranked)
    {
        if (_compact is not null)
        {
            return RunCompact(_compact, history, excludeSeen, out userVector, wide);
        }
        var bag = wide ? _wideBuffers : _buffers;
        int candidates = wide ? WideCandidates : Candidates;
        bool fromRow = wide && _scoreRow;
        // Reading the row, the graph's own TopK is asked for one item only: the selection happens here.
        var buffers = bag.TryTake(out var pooled) ? pooled
            : fromRow ? new ModelRunBuffers(SequenceLength, 1, Dimension, ItemCount) : new ModelRunBuffers(SequenceLength, candidates, Dimension);
        try
        {
            Array.Clear(buffers.ItemIds);
            buffers.ExcludeSeen = excludeSeen;
            int take = Math.Min(history.Length, SequenceLength);
            var newest = history[^take..];
            for (int i = 0; i < take; i++)
            {
                buffers.ItemIds[SequenceLength - take + i] = newest[i];
            }
            _session.Run(_runOptions, ModelRunBuffers.InputNames, buffers.Inputs, buffers.OutputNames, buffers.Outputs);
            userVector = (float[])buffers.UserVector.Clone();
            if (fromRow && ranked is not null)
            {
                RowTopK.Rank(buffers.Row, candidates, buffers.Selection, ranked);
                ranked.TakeBest(Candidates, buffers.Row);
                return ranked.Best;
            }
            var results = new (int, float)[candidates];
            if (fromRow)
            {
                // Row position p is model index p + 1 (the graph drops the padding column), as the TopK's ids are.
                int selected = RowTopK.Select(buffers.Row, 1, results, buffers.Selection);
                return selected == results.Length ? results : results[..selected];
            }
            for (int i = 0; i < results.Length; i++)
            {
                results[i] = ((int)buffers.TopIds[i], buffers.TopScores[i]);
            }
            return results;
        }
        finally
        {
            bag.Add(buffers);
        }
    }

    private (int Index, float Score)[] RunCompact(CompactItemTable table, ReadOnlySpan<int> history, bool excludeSeen, out float[] userVector, bool wide)
    {
        var bag = wide ? _wideUserBuffers : _userBuffers;
        int candidates = wide ? WideCandidates : Candidates;
        // The shortlist only has to exceed the pool the wide run keeps; its int8 stage already scores every row.
        int shortlist = wide ? Math.Min(Math.Max(WideCandidates + WideCandidates / 4, Shortlist), ItemCount) : Shortlist;
        var buffers = bag.TryTake(out var pooled) ? pooled : new UserVectorBuffers(SequenceLength, Dimension, table.Layout.Groups, shortlist);
        try
        {
            var newest = history[^Math.Min(history.Length, SequenceLength)..];
            buffers.Fill(newest, table);
            _session.Run(_runOptions, UserVectorBuffers.InputNames, buffers.Inputs, UserVectorBuffers.OutputNames, buffers.Outputs);
            userVector = (float[])buffers.UserVector.Clone();
            // The same items the exact graph's exclude_seen removes: those in the window the model saw.
            return CompactSearch.TopK(table, userVector, candidates, buffers.Search, excludeSeen ? newest : []);
        }
        finally
        {
            bag.Add(buffers);
        }
    }

    /// <summary>True when items have vectors (<see cref="UnitRow"/>); otherwise similarity is category overlap.</summary>
    public bool HasItemVectors => _compact is not null || Embeddings is not null;

    /// <summary>
    /// Writes item <paramref name="index"/>'s vector scaled to unit length (all zeros for a zero row), so a cosine is a
    /// plain dot product; false when the bundle has no item vectors.
    /// </summary>
    public bool UnitRow(int index, Span<float> destination)
    {
        if (_compact is not null)
        {
            _compact.Dequantize(index, destination[..Dimension]);
            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(destination[..Dimension]);
            if (norm > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(destination[..Dimension], norm, destination[..Dimension]);
            }
            return true;
        }
        if (Embeddings is not null)
        {
            Embeddings.AsSpan(index * Dimension, Dimension).CopyTo(destination); // normalised at load
            return true;
        }
        return false;
    }

    /// <summary>How alike two items are: cosine of their vectors, or the Jaccard overlap of their categories when the bundle has none.</summary>
    public float Similarity(int a, int b)
    {
        if (HasItemVectors)
        {
            Span<float> rowA = stackalloc float[Dimension], rowB = stackalloc float[Dimension];
            UnitRow(a, rowA);
            UnitRow(b, rowB);
            return System.Numerics.Tensors.TensorPrimitives.Dot(rowA, rowB);
        }
        var ca = Categories(a);
        var cb = Categories(b);
        int union = ca.Union(cb).Count();
        return union == 0 ? 0 : ca.Intersect(cb).Count() / (float)union;
    }

    private void CheckSignature()
    {
        var inputs = _session.InputMetadata;
        var outputs = _session.OutputMetadata;
        foreach (var name in _compact is null ? ModelRunBuffers.InputNames : UserVectorBuffers.InputNames)
        {
            if (!inputs.ContainsKey(name))
            {
                throw new InvalidDataException($"The model has no input '{name}'.");
            }
        }
        foreach (var name in _compact is null ? ModelRunBuffers.GraphOutputNames : UserVectorBuffers.OutputNames)
        {
            if (!outputs.ContainsKey(name))
            {
                throw new InvalidDataException($"The model has no output '{name}'.");
            }
        }
        if (inputs["item_ids"].Dimensions is not [_, var length] || length != SequenceLength)
        {
            throw new InvalidDataException($"The model's item_ids input does not take {SequenceLength} items as its manifest says.");
        }
    }

    private int[] RankPopularity(IReadOnlyList<string> popular)
    {
        var ranks = new int[ItemCount + 1];
        Array.Fill(ranks, -1);
        for (int rank = 0; rank < popular.Count; rank++)
        {
            if (TryGetIndex(popular[rank], out int index) && ranks[index] < 0)
            {
                ranks[index] = rank;
            }
        }
        return ranks;
    }

    private static float[]? ReadEmbeddings(VerifiedBundle bundle, int rows, int dimension)
    {
        if (!bundle.Files.TryGetValue(BundleFileNames.ItemEmbeddings, out var bytes))
        {
            return null;
        }
        if (bytes.LongLength != (long)rows * dimension * sizeof(float))
        {
            throw new InvalidDataException($"{BundleFileNames.ItemEmbeddings} holds {bytes.Length} bytes; {rows} × {dimension} float32 expected.");
        }
        var table = new float[rows * dimension];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }
        // Only similarities are computed from this table: normalise once here instead of in every comparison.
        for (int row = 0; row < rows; row++)
        {
            var vector = table.AsSpan(row * dimension, dimension);
            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
            if (norm > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
            }
        }
        return table;
    }

    private void DisposeSession()
    {
        _session.Dispose();
        _runOptions.Dispose();
        foreach (var bag in new[] { _buffers, _wideBuffers })
        {
            while (bag.TryTake(out var buffers))
            {
                buffers.Dispose();
            }
        }
        foreach (var bag in new[] { _userBuffers, _wideUserBuffers })
        {
            while (bag.TryTake(out var buffers))
            {
                buffers.Dispose();
            }
        }
    }

    public void Dispose() => Retire();
}
