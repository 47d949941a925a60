using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Postgres;
using OnDeviceReco.Feedback.Sqlite;

namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// What <c>--data</c> names: a MovieLens directory, an interactions file (CSV/TSV), or the server's own feedback
/// store — <c>sqlite:PATH</c> (its feedback.db) or <c>postgresql:CONNECTION STRING</c> — read through the same
/// store read as the server's retraining.
/// </summary>
public static class DataSources
{
    public const string SqlitePrefix = "sqlite:";
    public const string PostgreSqlPrefix = "postgresql:";

    /// <exception cref="DataFormatException">When nothing readable is found where <paramref name="spec"/> points.</exception>
    public static IInteractionSource Open(string spec)
    {
        if (spec.StartsWith(SqlitePrefix, StringComparison.OrdinalIgnoreCase))
        {
            string path = spec[SqlitePrefix.Length..];
            // Opening a store that is not there would create an empty one.
            return File.Exists(path)
                ? new StoreSource(spec, () => new SqliteFeedbackStore(path))
                : throw new DataFormatException($"Feedback store '{path}' does not exist.");
        }
        if (spec.StartsWith(PostgreSqlPrefix, StringComparison.OrdinalIgnoreCase))
        {
            string connectionString = spec[PostgreSqlPrefix.Length..];
            return new StoreSource("postgresql store", () => new PostgresFeedbackStore(connectionString));
        }
        if (Directory.Exists(spec))
        {
            return new MovieLensSource(spec);
        }
        return File.Exists(spec)
            ? new InteractionFileSource(spec)
            : throw new DataFormatException($"Data directory or file '{spec}' does not exist.");
    }

    /// <summary>Opens the store only for the read and closes it after; a store that cannot be opened is a data error.</summary>
    private sealed class StoreSource(string name, Func<IFeedbackStore> open) : IInteractionSource
    {
        public InteractionData Load()
        {
            IFeedbackStore store;
            try
            {
                store = open();
            }
            catch (Exception e) when (e is System.Data.Common.DbException or ArgumentException or InvalidOperationException)
            {
                throw new DataFormatException($"Cannot open the feedback store {name}: {e.Message}");
            }
            using (store)
            {
                return new FeedbackInteractionSource(store, catalogueDirectory: null).Load();
            }
        }
    }
}
