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

    /// <summary>
    /// Runs a cached statement that returns no rows, with <paramref name="args"/> bound to ?1, ?2, …, and resets
    /// it. Returns how many rows it inserted, updated or deleted.
    /// </summary>
    public int Execute(string sql, params ReadOnlySpan<SqliteValue> args)
    {
        ForEachRow(sql, static _ => false, args);
        return raw.sqlite3_changes(_handle);
    }

    /// <summary>Every row of a cached query with <paramref name="args"/> bound to ?1, ?2, …, each turned into a value by <paramref name="read"/>.</summary>
    public List<T> Query<T>(string sql, Func<SqliteStatement, T> read, params ReadOnlySpan<SqliteValue> args)
    {
        var rows = new List<T>();
        ForEachRow(sql, row =>
        {
            rows.Add(read(row));
            return true;
        }, args);
        return rows;
    }

    /// <summary>The first row of a cached query read by <paramref name="read"/>, or <c>default</c> when there is none.</summary>
    public T? QueryFirst<T>(string sql, Func<SqliteStatement, T> read, params ReadOnlySpan<SqliteValue> args)
    {
        T? first = default;
        ForEachRow(sql, row =>
        {
            first = read(row);
            return false;
        }, args);
        return first;
    }

    /// <summary>
    /// Binds <paramref name="args"/> to ?1, ?2, … of a cached statement and steps it, handing each row to
    /// <paramref name="onRow"/> until that returns false or the rows run out. The statement is reset afterwards,
    /// also when a step or <paramref name="onRow"/> throws, so the connection never keeps a read open.
    /// </summary>
    public void ForEachRow(string sql, Func<SqliteStatement, bool> onRow, params ReadOnlySpan<SqliteValue> args)
    {
        var statement = Cached(sql);
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                args[i].BindTo(statement, i + 1);
            }
            while (statement.Step() && onRow(statement))
            {
            }
        }
        finally
        {
            statement.Reset();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one <c>BEGIN IMMEDIATE</c> transaction: committed when it returns, rolled
    /// back when it throws (and the exception passes on).
    /// </summary>
    public void InTransaction(Action<SqliteDatabase> work)
    {
        Execute("BEGIN IMMEDIATE");
        try
        {
            work(this);
            Execute("COMMIT");
        }
        catch
        {
            // On SQLITE_FULL, IOERR and NOMEM SQLite may already have rolled the transaction back itself; a second
            // ROLLBACK would then fail and hide the real error (a full disk would surface as "no transaction is active").
            if (raw.sqlite3_get_autocommit(_handle) == 0)
            {
                Execute("ROLLBACK");
            }
            throw;
        }
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
