using System.Data.Common;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback;

/// <summary>
/// What a feedback store does with the same SQL on SQLite and PostgreSQL, written once: devices (binding, erasure),
/// the model registry and its small state, retraining runs, and the reads (totals, training streams, dashboard
/// counts). A store derived from it says how it reaches its database (<see cref="Read"/>, <see cref="Write"/>,
/// <see cref="Stream"/>) and does what its dialect does differently: event ingest, device keys, the training lease,
/// the schema. Ties between text values are broken by byte order (<see cref="OrdinalCollation"/>), so both stores
/// answer alike whatever collation a PostgreSQL database was created with.
/// </summary>
public abstract partial class SqlFeedbackStore : IFeedbackStore
{
    private int _disposed;

    private protected SqlFeedbackStore(ErasureMarkers? markers, IdPseudonyms? pseudonyms)
    {
        Markers = markers ?? ErasureMarkers.Unkeyed;
        Pseudonyms = pseudonyms;
    }

    /// <summary>How an erased device's id is remembered without keeping it.</summary>
    private protected ErasureMarkers Markers { get; }

    /// <summary>What is written instead of device and user ids; null stores ids as given (tools and tests on synthetic ids).</summary>
    private protected IdPseudonyms? Pseudonyms { get; }

    /// <summary>The name the devices table holds for <paramref name="deviceId"/> (as sent by the device).</summary>
    private protected string StoredDevice(string deviceId) => Pseudonyms?.Device(deviceId) ?? deviceId;

    /// <summary><paramref name="batch"/> with the user ids the store writes (the device id stays as sent).</summary>
    private protected EventBatch StoredUsers(EventBatch batch) => Pseudonyms?.Users(batch) ?? batch;

    /// <summary><paramref name="batch"/> with the user ids the store writes (the device id stays as sent).</summary>
    private protected AttributeBatch StoredUsers(AttributeBatch batch) => Pseudonyms?.Users(batch) ?? batch;

    /// <summary>What a SELECT appends to lock the rows it reads until the transaction ends (nothing where one writer holds the database).</summary>
    private protected virtual string LockRows => "";

    /// <summary>Runs after an erasure committed: a store drops what it still holds of the device outside its tables.</summary>
    private protected virtual void Erased(string deviceId)
    {
    }

    /// <summary>The collation that orders text by its UTF-8 bytes (SQLite's BINARY, PostgreSQL's "C"), for every ORDER BY on text.</summary>
    private protected abstract string OrdinalCollation { get; }

    /// <summary>Runs <paramref name="read"/> on an open connection of its own.</summary>
    private protected abstract T Read<T>(Func<DbConnection, T> read);

    /// <summary>Runs <paramref name="write"/> in one transaction, committed when it returns and rolled back when it throws.</summary>
    private protected abstract T Write<T>(Func<DbConnection, DbTransaction, T> write);

    /// <summary>The rows of a long read (every event, for training) as they arrive, never all held at once.</summary>
    private protected abstract IEnumerable<T> Stream<T>(string sql, Func<DbDataReader, T> read);

    /// <summary>Releases the connections; called once, however often the store is disposed.</summary>
    private protected abstract void Close();

    /// <summary>Learns the row id of a device a registration bound or matched (a store may remember it for the device's batches).</summary>
    private protected virtual void DeviceKnown(string deviceId, long key)
    {
    }

    public abstract IngestResult Ingest(EventBatch batch, ReadOnlySpan<byte> contentHash);

    public virtual Task<IngestResult> IngestAsync(EventBatch batch, byte[] contentHash) => Task.FromResult(Ingest(batch, contentHash));

    public abstract AttributeIngestResult IngestAttributes(AttributeBatch batch);

    public abstract ITrainingLease? TryAcquireTrainingLease();

    /// <summary>
    /// Releases the store. Safe to call more than once: a host that registers the store under each of its
    /// interfaces disposes it once per registration.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Close();
        }
    }

    private protected void Write(Action<DbConnection, DbTransaction> write) => Write((connection, transaction) =>
    {
        write(connection, transaction);
        return true;
    });

    private protected static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
