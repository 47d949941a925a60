using SQLitePCL;

namespace OnDeviceReco.Storage;

/// <summary>
/// One SQLite connection over the raw API. Not thread-safe: each instance is used by one thread at a time
/// (the writer owns one, readers borrow from a pool).
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly sqlite3 _handle;
    private readonly Dictionary<string, SqliteStatement> _statementCache = new(StringComparer.Ordinal);

    private SqliteDatabase(sqlite3 handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    public static SqliteDatabase Open(string path)
    {
        SqliteRuntime.EnsureInitialized();
        int flags = raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE | raw.SQLITE_OPEN_NOMUTEX;
        int rc = raw.sqlite3_open_v2(path, out sqlite3 handle, flags, null);
        if (rc != raw.SQLITE_OK)
        {
            string message = handle is null ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(handle).utf8_to_string();
            handle?.Dispose();
            throw new SqliteException($"Cannot open '{path}': {message}", rc);
        }
        raw.sqlite3_extended_result_codes(handle, 1);
        return new SqliteDatabase(handle, path);
    }

    public int Changes => raw.sqlite3_changes(_handle);

    /// <summary>Runs one or more statements that return no rows.</summary>
    public void Execute(string sql)
    {
        int rc = raw.sqlite3_exec(_handle, sql, null, null, out string? error);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"{error ?? raw.sqlite3_errstr(rc).utf8_to_string()} (in: {sql})", rc & 0xFF, rc);
        }
    }

    /// <summary>Runs a query and returns the first column of the first row as a string, or null.</summary>
    public string? QueryText(string sql)
    {
        using var statement = Prepare(sql);
        return statement.Step() ? statement.ColumnText(0) : null;
    }

    public long QueryInt64(string sql)
    {
        using var statement = Prepare(sql);
        return statement.Step() ? statement.ColumnInt64(0) : 0;
    }

    /// <summary>A new statement owned by the caller.</summary>
    public SqliteStatement Prepare(string sql)
    {
        int rc = raw.sqlite3_prepare_v2(_handle, sql, out sqlite3_stmt statement);
        Check(rc, sql);
        return new SqliteStatement(this, statement);
    }

    /// <summary>A statement prepared once per connection and reset for reuse; the connection owns it.</summary>
    public SqliteStatement Cached(string sql)
    {
        if (!_statementCache.TryGetValue(sql, out var statement))
        {
            int rc = raw.sqlite3_prepare_v3(_handle, sql, raw.SQLITE_PREPARE_PERSISTENT, out sqlite3_stmt handle);
            Check(rc, sql);
            statement = new SqliteStatement(this, handle) { IsCached = true };
            _statementCache.Add(sql, statement);
        }
        statement.Reset();
        return statement;
    }

    public void Check(int rc, string? context = null)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE)
        {
            return;
        }
        string message = raw.sqlite3_errmsg(_handle).utf8_to_string();
        int extended = raw.sqlite3_extended_errcode(_handle);
        throw new SqliteException(context is null ? message : $"{message} (in: {context})", rc & 0xFF, extended);
    }

    public void Dispose()
    {
        foreach (var statement in _statementCache.Values)
        {
            statement.Release();
        }
        _statementCache.Clear();
        raw.sqlite3_close_v2(_handle);
        _handle.Dispose();
    }
}
