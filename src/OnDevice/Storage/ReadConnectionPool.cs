using System.Collections.Concurrent;

namespace OnDeviceReco.Storage;

/// <summary>
/// Read connections for any number of threads. WAL lets them read while the writer commits. A lock makes
/// erase wait for running reads and keeps new reads out while the files are replaced.
/// </summary>
internal sealed class ReadConnectionPool : IDisposable
{
    private const int MaxIdle = 4;
    private readonly ConcurrentBag<SqliteDatabase> _idle = new();
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.SupportsRecursion);
    private readonly StoreOptions _options;

    public ReadConnectionPool(StoreOptions options) => _options = options;

    /// <summary>Runs <paramref name="query"/> on a pooled connection.</summary>
    public T Read<T>(Func<SqliteDatabase, T> query)
    {
        _gate.EnterReadLock();
        try
        {
            var database = _idle.TryTake(out var pooled) ? pooled : StoreOpener.OpenConfigured(_options);
            try
            {
                return query(database);
            }
            finally
            {
                if (_idle.Count < MaxIdle)
                {
                    _idle.Add(database);
                }
                else
                {
                    database.Dispose();
                }
            }
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>Closes every connection and runs <paramref name="action"/> while no read can start.</summary>
    public void Exclusive(Action action)
    {
        _gate.EnterWriteLock();
        try
        {
            CloseIdle();
            action();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    private void CloseIdle()
    {
        while (_idle.TryTake(out var database))
        {
            database.Dispose();
        }
    }

    public void Dispose()
    {
        Exclusive(() => { });
        _gate.Dispose();
    }
}
