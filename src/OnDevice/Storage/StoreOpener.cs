using Microsoft.Extensions.Logging;

namespace OnDeviceReco.Storage;

/// <summary>
/// Opens the store's database: configures it, detects a damaged file, moves such a file aside and starts
/// afresh, then migrates the schema. The app keeps running whatever it finds on disk.
/// </summary>
internal static partial class StoreOpener
{
    public static (SqliteDatabase Database, StoreHealth Health) Open(StoreOptions options, ILogger logger)
    {
        string path = options.DatabasePath;
        bool existed = File.Exists(path) && new FileInfo(path).Length > 0;
        string? problem = DatabaseFiles.HasForeignHeader(path) ? "the file does not start with the SQLite header" : null;
        if (problem is null)
        {
            try
            {
                var database = OpenConfigured(options);
                try
                {
                    problem = options.VerifyOnOpen ? QuickCheck(database) : null;
                    if (problem is null)
                    {
                        int from = StoreSchema.Migrate(database);
                        return (database, new StoreHealth(existed ? StoreOpenState.Opened : StoreOpenState.Created, null, null, from, null));
                    }
                }
                catch (SqliteException e) when (e.IsCorruption)
                {
                    problem = e.Message;
                }
                catch
                {
                    database.Dispose();
                    throw;
                }
                database.Dispose();
            }
            catch (SqliteException e) when (e.IsCorruption)
            {
                problem = e.Message;
            }
        }

        string movedTo = DatabaseFiles.MoveAside(path, options.TimeProvider.GetUtcNow());
        LogRecovered(logger, path, problem, movedTo);
        var fresh = OpenConfigured(options);
        StoreSchema.Migrate(fresh);
        return (fresh, new StoreHealth(StoreOpenState.RecoveredFromCorruption, problem, movedTo, 0, null));
    }

    /// <summary>Opens a connection with the pragmas every connection of the store uses.</summary>
    public static SqliteDatabase OpenConfigured(StoreOptions options)
    {
        var database = SqliteDatabase.Open(options.DatabasePath);
        try
        {
            database.Execute("PRAGMA busy_timeout = 5000");
            // journal_mode reads the header, so a foreign file fails here with SQLITE_NOTADB.
            database.QueryText("PRAGMA journal_mode = WAL");
            database.Execute(options.Durability == Durability.Full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            // Without a limit the -wal file keeps its largest size forever; this keeps the footprint bounded.
            database.Execute("PRAGMA journal_size_limit = 4194304");
            // What is deleted (retention, a consent change's clean-up) is overwritten in the file, not only unlinked.
            database.Execute("PRAGMA secure_delete = ON");
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    private static string? QuickCheck(SqliteDatabase database)
    {
        using var statement = database.Prepare("PRAGMA quick_check(5)");
        var problems = new List<string>();
        while (statement.Step())
        {
            string line = statement.ColumnText(0) ?? string.Empty;
            if (line != "ok")
            {
                problems.Add(line);
            }
        }
        return problems.Count == 0 ? null : "quick_check: " + string.Join("; ", problems);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Behaviour store '{Path}' was damaged ({Problem}); moved it to '{MovedTo}' and started a new one.")]
    private static partial void LogRecovered(ILogger logger, string path, string? problem, string movedTo);
}
