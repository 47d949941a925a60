using System.Text.Json;
using OnDeviceReco.Onboarding;
using OnDeviceReco.Protocol.Export;
using OnDeviceReco.Storage;

namespace OnDeviceReco.Export;

/// <summary>
/// Writes what the store holds about one user, or about every user, as the documented JSON (docs/privacy.md,
/// field names in <see cref="ExportFields"/>): per user every event with its sync state, the user's attributes (removals
/// not yet synced included) and onboarding answers; for the device its id, consent, model, experiment arm and the
/// server erasures still owed (ids only: the secrets that prove them are credentials, as is the sync token, and are
/// never exported). Reads one snapshot of the database and streams rows as they are read, so an export of the whole
/// store holds no more than one row in memory. Item metadata is the app's catalogue, not the user's data: not exported.
/// </summary>
internal static class StoreExport
{
    // Relaxed escaping: names and ids in any script stay readable in the file (it is JSON for people and programs, never HTML).
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(SqliteDatabase database, Stream destination, ExportRequest request)
    {
        // One read transaction: the events, attributes and state all come from the same moment.
        database.Execute("BEGIN");
        try
        {
            using var json = new Utf8JsonWriter(destination, Options);
            json.WriteStartObject();
            json.WriteString(ExportFields.Format, ExportFields.DeviceFormat);
            json.WriteNumber(ExportFields.Schema, ExportFields.SchemaVersion);
            json.WriteString(ExportFields.ExportedAt, ExportFields.TimeText(request.Now.ToUnixTimeMilliseconds()));
            json.WriteString(ExportFields.Scope, request.UserId is null ? "store" : "user");
            WriteDevice(json, database, request);
            json.WriteStartArray(ExportFields.Users);
            foreach (string user in Users(database, request.UserId))
            {
                WriteUser(json, database, user);
                json.Flush(); // hands each user's rows to the stream instead of buffering the whole store
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        finally
        {
            database.Execute("COMMIT");
        }
    }

    private static void WriteDevice(Utf8JsonWriter json, SqliteDatabase database, ExportRequest request)
    {
        json.WriteStartObject(ExportFields.Device);
        json.WriteString(ExportFields.DeviceId, KeyValue.Get(database, KeyValue.DeviceId));
        json.WriteString(ExportFields.Consent, ConsentName(request.Consent));
        WriteOptional(json, ExportFields.ModelVersion, request.Facts.ModelVersion);
        if (request.Facts.Arm is { } arm)
        {
            json.WriteStartObject(ExportFields.ExperimentArm);
            json.WriteString(ExportFields.Experiment, arm.Experiment);
            json.WriteString(ExportFields.Arm, arm.Arm);
            json.WriteNumber(ExportFields.ModelVersion, arm.ModelVersion);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull(ExportFields.ExperimentArm);
        }
        json.WriteStartArray(ExportFields.PendingServerErasures);
        foreach (var owed in request.PendingErasures)
        {
            json.WriteStartObject();
            json.WriteString(ExportFields.DeviceId, owed.DeviceId);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static List<string> Users(SqliteDatabase database, string? only) => only is not null
        ? database.Query("SELECT ?1 WHERE EXISTS (SELECT 1 FROM events WHERE user_id = ?1) OR EXISTS (SELECT 1 FROM user_attributes WHERE user_id = ?1)",
            static row => row.ColumnText(0)!, only)
        : database.Query("SELECT user_id FROM events UNION SELECT user_id FROM user_attributes ORDER BY 1", static row => row.ColumnText(0)!);

    private static void WriteUser(Utf8JsonWriter json, SqliteDatabase database, string user)
    {
        json.WriteStartObject();
        json.WriteString(ExportFields.UserId, user);
        var answers = new List<(long Sequence, long TimeMs, string ItemId, string Answer)>();
        json.WriteStartArray(ExportFields.Events);
        database.ForEachRow("SELECT seq, ts_ms, item_id, type, value, context, sync_state FROM events WHERE user_id = ?1 ORDER BY seq", row =>
        {
            long sequence = row.ColumnInt64(0), timeMs = row.ColumnInt64(1);
            string item = row.ColumnText(2)!;
            var context = TextMap.Deserialize(row.ColumnText(5));
            json.WriteStartObject();
            json.WriteNumber(ExportFields.Sequence, sequence);
            json.WriteString(ExportFields.Time, ExportFields.TimeText(timeMs));
            json.WriteNumber(ExportFields.TimeMs, timeMs);
            json.WriteString(ExportFields.ItemId, item);
            json.WriteString(ExportFields.Type, ExportFields.TypeName((int)row.ColumnInt64(3)));
            json.WriteNumber(ExportFields.TypeCode, row.ColumnInt64(3));
            json.WriteNumber(ExportFields.Value, row.ColumnDouble(4));
            WriteContext(json, context);
            json.WriteString(ExportFields.SyncState, SyncStateName((SyncState)row.ColumnInt64(6)));
            json.WriteEndObject();
            if (context.TryGetValue(OnboardingContext.Key, out var answer))
            {
                answers.Add((sequence, timeMs, item, answer));
            }
            return true;
        }, user);
        json.WriteEndArray();
        json.WriteStartArray(ExportFields.Attributes);
        database.ForEachRow("SELECT key, value, change_seq, ts_ms, sync_state FROM user_attributes WHERE user_id = ?1 ORDER BY key", row =>
        {
            json.WriteStartObject();
            json.WriteString(ExportFields.Key, row.ColumnText(0));
            json.WriteString(ExportFields.Value, row.ColumnText(1)); // null: a removal the server has not heard of yet
            json.WriteNumber(ExportFields.ChangeSequence, row.ColumnInt64(2));
            json.WriteString(ExportFields.ChangedAt, ExportFields.TimeText(row.ColumnInt64(3)));
            json.WriteString(ExportFields.SyncState, SyncStateName((SyncState)row.ColumnInt64(4)));
            json.WriteEndObject();
            return true;
        }, user);
        json.WriteEndArray();
        json.WriteStartArray(ExportFields.OnboardingAnswers);
        foreach (var (sequence, timeMs, item, answer) in answers)
        {
            json.WriteStartObject();
            json.WriteNumber(ExportFields.Sequence, sequence);
            json.WriteString(ExportFields.Time, ExportFields.TimeText(timeMs));
            json.WriteString(ExportFields.ItemId, item);
            json.WriteString(ExportFields.Answer, answer);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteContext(Utf8JsonWriter json, IReadOnlyDictionary<string, string> context)
    {
        json.WriteStartObject(ExportFields.Context);
        foreach (var (key, value) in context.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string ConsentName(ConsentState consent) => consent switch
    {
        ConsentState.Granted => "granted",
        ConsentState.Revoked => "revoked",
        ConsentState.LocalOnly => "local_only",
        _ => "unknown",
    };

    private static string SyncStateName(SyncState state) => state switch
    {
        SyncState.Pending => "pending",
        SyncState.Synced => "synced",
        SyncState.LocalOnly => "local_only",
        SyncState.Refused => "set_aside",
        _ => "unknown",
    };
}

/// <summary>One export: whose data (null: every user's), when, and what the client adds beside the store.</summary>
internal sealed record ExportRequest(string? UserId, DateTimeOffset Now, ConsentState Consent, IReadOnlyList<ErasureRequest> PendingErasures, DeviceFacts Facts);
