using OnDeviceReco.Protocol.Wire;
using static OnDeviceReco.Feedback.SqlCommands;

namespace OnDeviceReco.Feedback;

// The reads, the same statements on both stores: totals, the dashboard's counts and the training streams. Text is
// ordered by its bytes (OrdinalCollation) wherever an order is promised.
public abstract partial class SqlFeedbackStore
{
    public FeedbackCounts Counts() => Read(connection => Single(connection, null, """
        SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM devices), (SELECT count(*) FROM batches),
               (SELECT coalesce(max(id), 0) FROM events)
        """, r => new FeedbackCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3))));

    public IReadOnlyList<IngestBucket> IngestHistory(DateTimeOffset since, TimeSpan bucket)
    {
        long start = since.ToUnixTimeMilliseconds();
        long width = Math.Max(1, (long)bucket.TotalMilliseconds);
        return Read(connection => Query(connection, null, """
            SELECT (received_ms - @since) / @width AS b, count(*), coalesce(sum(stored), 0), count(DISTINCT device)
            FROM batches WHERE received_ms >= @since GROUP BY b ORDER BY b
            """,
            r => new IngestBucket(DateTimeOffset.FromUnixTimeMilliseconds(start + r.GetInt64(0) * width), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)),
            ("@since", start), ("@width", width)));
    }

    public IReadOnlyList<(string ItemId, int Devices)> ShownCounts(int limit) => Read(connection => Query(connection, null, $"""
        SELECT item_id, count(DISTINCT device) FROM events WHERE type = @impression
        GROUP BY item_id ORDER BY count(DISTINCT device) DESC, item_id COLLATE {OrdinalCollation} LIMIT @limit
        """, r => (r.GetString(0), (int)Math.Min(int.MaxValue, r.GetInt64(1))), ("@impression", (int)EventType.Impression), ("@limit", Math.Max(0, limit))));

    public IEnumerable<StoredEvent> ReadEvents() => Stream($"""
        SELECT d.device_id, e.user_id, e.item_id, e.type, e.ts_ms, e.seq, e.value
        FROM events e JOIN devices d ON d.id = e.device
        ORDER BY e.device, e.user_id COLLATE {OrdinalCollation}, e.ts_ms, e.seq
        """,
        r => new StoredEvent(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4), r.GetInt64(5), r.GetDouble(6)));

    public IEnumerable<StoredAttribute> ReadAttributes() => Stream($"""
        SELECT d.device_id, a.user_id, a.key, a.value
        FROM user_attributes a JOIN devices d ON d.id = a.device
        WHERE a.value IS NOT NULL
        ORDER BY a.device, a.user_id COLLATE {OrdinalCollation}, a.key COLLATE {OrdinalCollation}
        """,
        r => new StoredAttribute(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));

    public IEnumerable<StoredSearch> ReadSearches() => Stream($"""
        SELECT DISTINCT d.device_id, e.user_id, e.item_id
        FROM events e JOIN devices d ON d.id = e.device
        WHERE e.type = {(int)EventType.Search}
        """,
        r => new StoredSearch(r.GetString(0), r.GetString(1), r.GetString(2)));
}
