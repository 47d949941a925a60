using SQLitePCL;

namespace OnDeviceReco.Storage;

/// <summary>A prepared statement. Dispose resets a cached statement and finalizes an owned one.</summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteDatabase _database;
    private readonly sqlite3_stmt _handle;
    private bool _finalized;

    internal SqliteStatement(SqliteDatabase database, sqlite3_stmt handle)
    {
        _database = database;
        _handle = handle;
    }

    /// <summary>True when the connection owns this statement and reuses it.</summary>
    internal bool IsCached { get; init; }

    public SqliteStatement Bind(int index, long value)
    {
        _database.Check(raw.sqlite3_bind_int64(_handle, index, value));
        return this;
    }

    public SqliteStatement Bind(int index, double value)
    {
        _database.Check(raw.sqlite3_bind_double(_handle, index, value));
        return this;
    }

    public SqliteStatement Bind(int index, string? value)
    {
        _database.Check(value is null ? raw.sqlite3_bind_null(_handle, index) : raw.sqlite3_bind_text(_handle, index, value));
        return this;
    }

    /// <summary>Steps once: true when a row is available, false when the statement is done.</summary>
    public bool Step()
    {
        int rc = raw.sqlite3_step(_handle);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }
        if (rc == raw.SQLITE_DONE)
        {
            return false;
        }
        raw.sqlite3_reset(_handle);
        _database.Check(rc);
        return false;
    }

    /// <summary>Steps a statement that returns no rows, then resets it for reuse.</summary>
    public void Run()
    {
        Step();
        Reset();
    }

    public void Reset()
    {
        raw.sqlite3_reset(_handle);
        raw.sqlite3_clear_bindings(_handle);
    }

    public long ColumnInt64(int index) => raw.sqlite3_column_int64(_handle, index);

    public double ColumnDouble(int index) => raw.sqlite3_column_double(_handle, index);

    public bool ColumnIsNull(int index) => raw.sqlite3_column_type(_handle, index) == raw.SQLITE_NULL;

    public string? ColumnText(int index) =>
        ColumnIsNull(index) ? null : raw.sqlite3_column_text(_handle, index).utf8_to_string();

    internal void Release()
    {
        if (!_finalized)
        {
            _finalized = true;
            _handle.Dispose();
        }
    }

    /// <summary>Owned statements are finalized; cached ones only reset, since the connection reuses them.</summary>
    public void Dispose()
    {
        if (IsCached)
        {
            Reset();
        }
        else
        {
            Release();
        }
    }
}
