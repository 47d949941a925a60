using Microsoft.Data.Sqlite;
using OnDeviceReco.Server.Privacy;

namespace OnDeviceReco.Experiments;

/// <summary>
/// The server of a kept loop stores users under keyed pseudonyms of (device id, user id): this maps them back to the
/// MovieLens user ids, from the kept server's key and the kept devices' ids (each device's store in
/// <c>devices/USER/store.db</c>), as only the operator of a loop holding both can.
/// </summary>
internal static class KeptUserNames
{
    /// <summary>Stored user name → MovieLens user id, for every device the kept loop left in <paramref name="kept"/>.</summary>
    public static IReadOnlyDictionary<string, string> Read(string kept)
    {
        var pseudonyms = PseudonymKeys.LoadOrCreate(Path.Combine(kept, "server"), 1);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string directory in (string[])[Path.Combine(kept, "devices"), Path.Combine(kept, "newcomers")])
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }
            foreach (string userDirectory in Directory.EnumerateDirectories(directory))
            {
                string store = Path.Combine(userDirectory, "store.db");
                if (File.Exists(store) && DeviceIdOf(store) is { } deviceId)
                {
                    string user = Path.GetFileName(userDirectory);
                    names[pseudonyms.User(deviceId, user)] = user;
                }
            }
        }
        return names;
    }

    private static string? DeviceIdOf(string store)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM kv WHERE key = 'device_id'";
        return command.ExecuteScalar() as string;
    }
}
