using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

// Databases written before ids were pseudonymised, the same statements on both stores.
public abstract partial class SqlFeedbackStore
{
    /// <summary>The state row saying every id in the database is a pseudonym (set on a fresh database too).</summary>
    internal const string IdsPseudonymousKey = "ids_pseudonymous";

    /// <summary>
    /// Replaces the device and user ids a database holds from before pseudonyms by their pseudonyms, once, in one
    /// transaction; then marks the database (<see cref="IdsPseudonymousKey"/>). A store opened without pseudonyms
    /// (a tool) changes nothing and marks nothing, so the server's next start still does it. The mark is inserted
    /// first: a second node starting at once waits on that row and then finds the work done. Returns how many
    /// devices were renamed. Erasure markers need no change: they are keyed by the id, not by its stored name.
    /// </summary>
    private protected int PseudonymiseStoredIds()
    {
        if (Pseudonyms is not { } pseudonyms)
        {
            return 0;
        }
        return Write((connection, transaction) =>
        {
            if (Scalar(connection, transaction, "INSERT INTO state(key, value) VALUES (@k, 1) ON CONFLICT (key) DO NOTHING RETURNING value",
                ("@k", IdsPseudonymousKey)) is null)
            {
                return 0;
            }
            var devices = Query(connection, transaction, "SELECT id, device_id FROM devices", r => (Key: r.GetInt64(0), Id: r.GetString(1)));
            foreach (var (key, id) in devices)
            {
                Execute(connection, transaction, "UPDATE devices SET device_id = @p WHERE id = @k", ("@p", pseudonyms.Device(id)), ("@k", key));
                var users = Query(connection, transaction, """
                    SELECT user_id FROM events WHERE device = @k
                    UNION SELECT user_id FROM user_attributes WHERE device = @k
                    UNION SELECT user_id FROM user_attribute_floors WHERE device = @k
                    """, r => r.GetString(0), ("@k", key));
                foreach (string user in users)
                {
                    string pseudonym = pseudonyms.User(id, user);
                    foreach (string table in (string[])["events", "user_attributes", "user_attribute_floors"])
                    {
                        Execute(connection, transaction, $"UPDATE {table} SET user_id = @p WHERE device = @k AND user_id = @u",
                            ("@p", pseudonym), ("@k", key), ("@u", user));
                    }
                }
            }
            return devices.Count;
        });
    }
}
