using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OnDeviceReco.Storage;

/// <summary>
/// The single background writer. Callers enqueue and return at once; this thread drains the queue into
/// batched transactions, applies retention in the same transaction, and runs commands (flush, consent,
/// erase…) in queue order. Only this thread touches the write connection.
/// </summary>
internal sealed partial class EventWriter : IDisposable
{
    private readonly ConcurrentQueue<QueuedWrite> _queue = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly StoreOptions _options;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly List<QueuedWrite> _batch;
    private readonly DatabaseSizeLimit _sizeLimit;
    private long _pending;
    private long _written;
    private long _evictedTotal;
    private long _storedRows;
    private long _commits;
    private long _refusedBySyncTotal;
    private volatile string? _lastWriteError;
    private volatile bool _lastWriteWasFull;
    // Set when a commit failed in the current drain: no further attempt until the next wake, so a full disk
    // costs one failed transaction per flush interval instead of one per queued event.
    private bool _failedThisDrain;

    public EventWriter(SqliteDatabase database, StoreOptions options, ILogger logger)
    {
        Database = database;
        _options = options;
        _logger = logger;
        _batch = new List<QueuedWrite>(options.BatchSize);
        _sizeLimit = new DatabaseSizeLimit(database, options.MaxDatabaseBytes);
        _sizeLimit.ApplyTo(database);
        LoadCounters();
        _thread = new Thread(Run) { IsBackground = true, Name = "OnDeviceReco writer" };
        _thread.Start();
    }

    /// <summary>The write connection; only commands running on the writer thread may use it.</summary>
    public SqliteDatabase Database { get; private set; }

    public long Pending => Interlocked.Read(ref _pending);
    public long Written => Interlocked.Read(ref _written);
    public long EvictedTotal => Interlocked.Read(ref _evictedTotal);
    public long StoredRows => Interlocked.Read(ref _storedRows);
    public long RefusedBySyncTotal => Interlocked.Read(ref _refusedBySyncTotal);

    /// <summary>Adds to the persisted count of events the server refused (the caller updates the kv row in the same transaction).</summary>
    public long AddRefusedBySync(long count) => Interlocked.Add(ref _refusedBySyncTotal, count);

    /// <summary>Committed write transactions so far: unchanged means the events table is unchanged.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Counts a commit that changed events outside the batches this writer inserts (renumbering after a restore).</summary>
    public void EventsChanged() => Interlocked.Increment(ref _commits);
    public string? LastWriteError => _lastWriteError;

    /// <summary>Queues an event unless the queue is at its limit. Never blocks.</summary>
    public bool TryEnqueue(in QueuedWrite write)
    {
        long pending = Interlocked.Increment(ref _pending);
        if (pending > _options.MaxQueuedEvents)
        {
            Interlocked.Decrement(ref _pending);
            return false;
        }
        _queue.Enqueue(write);
        // Wake the writer once per full batch; otherwise it wakes on its flush interval.
        if (pending % _options.BatchSize == 0)
        {
            _wake.Set();
        }
        return true;
    }

    /// <summary>Queues a command and wakes the writer; the returned task ends when the command has run.</summary>
    public Task Submit(WriterCommand command)
    {
        _queue.Enqueue(QueuedWrite.For(command));
        _wake.Set();
        return command.Completion.Task;
    }

    /// <summary>Replaces the write connection (after an erase) and reloads the counters from it.</summary>
    public void ReplaceDatabase(SqliteDatabase database)
    {
        Database.Dispose();
        Database = database;
        _sizeLimit.ApplyTo(database);
        LoadCounters();
    }

    /// <summary>Changes the bound on the file's size (<see cref="StoreOptions.MaxDatabaseBytes"/>); writer thread only.</summary>
    public void LimitSize(long? maxBytes)
    {
        _sizeLimit.MaxBytes = maxBytes;
        _sizeLimit.ApplyTo(Database);
    }

    private void LoadCounters()
    {
        Interlocked.Exchange(ref _storedRows, Database.QueryInt64("SELECT COUNT(*) FROM events"));
        Interlocked.Exchange(ref _evictedTotal, long.TryParse(KeyValue.Get(Database, KeyValue.EvictedTotal), out long evicted) ? evicted : 0);
        Interlocked.Exchange(ref _refusedBySyncTotal, long.TryParse(KeyValue.Get(Database, KeyValue.SyncRefusedTotal), out long refused) ? refused : 0);
    }

    private void Run()
    {
        bool stopping = false;
        while (!stopping)
        {
            _wake.Wait(_options.FlushInterval);
            _wake.Reset();
            stopping = Drain();
        }
    }

    /// <summary>Writes everything queued; returns true when a stop command was reached.</summary>
    private bool Drain()
    {
        bool stop = false;
        _failedThisDrain = false;
        while (_queue.TryDequeue(out var write))
        {
            if (write.Command is null)
            {
                _batch.Add(write);
                if (_batch.Count >= _options.BatchSize)
                {
                    TryCommitBatch();
                }
                continue;
            }
            // A stop is honoured even when the disk refuses the last commit: closing must never hang on a full disk.
            stop |= write.Command.StopsWriter;
            if (!TryCommitBatch() && !write.Command.IgnoresPendingFailure)
            {
                write.Command.Completion.TrySetException(new BehaviorStoreException(
                    _lastWriteWasFull ? StoreErrorKind.DiskFull : StoreErrorKind.Io,
                    $"Events tracked before this call could not be written ({_batch.Count} wait in memory and are retried): {_lastWriteError}"));
                continue;
            }
            try
            {
                write.Command.Execute(this);
                write.Command.Completion.TrySetResult();
            }
            catch (Exception e)
            {
                write.Command.Completion.TrySetException(e);
            }
        }
        TryCommitBatch();
        return stop;
    }

    /// <summary>
    /// Commits the batch with retention in one transaction. On failure the batch stays in memory and is
    /// retried on the next wake, so a transient disk error loses nothing.
    /// </summary>
    private bool TryCommitBatch()
    {
        if (_batch.Count == 0)
        {
            return true;
        }
        if (_failedThisDrain)
        {
            return false;
        }
        try
        {
            CommitWithRetention();
            if (_lastWriteError is not null)
            {
                LogWriteRecovered(_logger);
            }
            _lastWriteError = null;
            return true;
        }
        catch (Exception e)
        {
            _failedThisDrain = true;
            if (_lastWriteError is null)
            {
                LogWriteFailed(_logger, e, _batch.Count); // once per failure streak, not once per retry
            }
            _lastWriteWasFull = e is SqliteException { ResultCode: SQLitePCL.raw.SQLITE_FULL };
            _lastWriteError = e.Message;
            return false;
        }
    }

    /// <summary>Evicts what retention says must go, with no new events (e.g. at start).</summary>
    public void ApplyRetentionNow() => CommitWithRetention();

    /// <summary>One transaction: insert the batch, evict beyond the row and age limits, count the evictions.</summary>
    private void CommitWithRetention()
    {
        long nowMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        int inserted = _batch.Count;
        long evicted = 0;
        Database.InTransaction(_ =>
        {
            InsertBatch();
            evicted = Retention.Apply(Database, _options, _storedRows + inserted, nowMs);
            if (evicted > 0)
            {
                KeyValue.Set(Database, KeyValue.EvictedTotal, (EvictedTotal + evicted).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        });
        Interlocked.Add(ref _storedRows, inserted - evicted);
        Interlocked.Add(ref _evictedTotal, evicted);
        Interlocked.Add(ref _written, inserted);
        Interlocked.Add(ref _pending, -inserted);
        Interlocked.Increment(ref _commits);
        _batch.Clear();
    }

    private void InsertBatch()
    {
        if (_batch.Count == 0)
        {
            return;
        }
        var insert = Database.Cached(
            "INSERT INTO events(ts_ms, user_id, item_id, type, value, context, sync_state) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        foreach (var write in _batch)
        {
            insert.Bind(1, write.TimestampMs)
                .Bind(2, write.UserId)
                .Bind(3, write.ItemId)
                .Bind(4, (long)write.Type)
                .Bind(5, write.Value)
                .Bind(6, write.ContextJson)
                .Bind(7, (long)write.SyncState);
            insert.Run();
        }
    }

    /// <summary>
    /// Stops the thread after one last attempt to write everything queued so far. Returns within
    /// <see cref="StoreOptions.CloseTimeout"/> even when the disk is full or hangs; events that could not be
    /// written are then lost (they were never flushed) and counted in the log. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            var stop = new WriterCommand { StopsWriter = true };
            Submit(stop);
            if (!_thread.Join(_options.CloseTimeout))
            {
                // The disk hangs inside a commit. The thread is a background thread and owns the connection: leave
                // both to it rather than close a connection under a running statement.
                LogCloseTimedOut(_logger, _options.CloseTimeout, Pending);
                return;
            }
        }
        // Anything that raced in after the stop command is written here, on the caller's thread, now that the writer is gone.
        _failedThisDrain = false;
        Drain();
        if (Pending > 0)
        {
            LogClosedWithUnwritten(_logger, Pending, _lastWriteError ?? "unknown");
        }
        Database.Dispose();
        _wake.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} events failed; they stay queued and are retried.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Writing events works again; everything queued is committed.")]
    private static partial void LogWriteRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Closed with {Count} events that could not be written: {Error}")]
    private static partial void LogClosedWithUnwritten(ILogger logger, long count, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The writer did not stop within {Timeout} (the disk does not answer); closing without it, {Count} events unwritten.")]
    private static partial void LogCloseTimedOut(ILogger logger, TimeSpan timeout, long count);
}
