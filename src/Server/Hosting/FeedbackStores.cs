using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Postgres;
using OnDeviceReco.Feedback.Sqlite;

namespace OnDeviceReco.Server.Hosting;

/// <summary>
/// Which store the server uses (<c>Reco:Store</c>): SQLite in the data directory — the embedded default for one
/// machine, the main command and small deployments — or PostgreSQL (<c>Reco:ConnectionString</c>), which any number
/// of server nodes share.
/// </summary>
public static class FeedbackStores
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    /// <param name="options">Which store.</param>
    /// <param name="erasure">How the store remembers erased devices (the server's keyed markers).</param>
    /// <param name="pseudonyms">What the store writes instead of device and user ids (the server's keyed pseudonyms).</param>
    public static IFeedbackStore Create(ServerOptions options, ErasureMarkers erasure, IdPseudonyms pseudonyms) => options.Store.ToLowerInvariant() switch
    {
        Sqlite => new SqliteFeedbackStore(Path.Combine(options.DataDirectory, "feedback.db"), erasure, pseudonyms),
        PostgreSql => new PostgresFeedbackStore(options.ConnectionString!, erasure, pseudonyms),
        _ => throw new InvalidOperationException($"Reco:Store must be '{Sqlite}' or '{PostgreSql}', not '{options.Store}'."),
    };
}
