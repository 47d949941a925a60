using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// <c>[device id, batch id, [[sequence, timestamp, user, key, value or nil]…]]</c> and
/// <c>[batch id, applied through, applied, already applied, highest sequence]</c>. Attribute batches are small (a few changes per
/// user), so they go row by row without a string table.
/// </summary>
internal static class AttributeFormats
{
    private const int ChangeFields = 5;

    public static void Write(ref MessagePackWriter writer, AttributeBatch batch)
    {
        writer.WriteArrayHeader(3);
        writer.Write(batch.DeviceId);
        writer.Write(batch.BatchId.ToByteArray());
        writer.WriteArrayHeader(batch.Changes.Count);
        foreach (var change in batch.Changes)
        {
            writer.WriteArrayHeader(ChangeFields);
            writer.Write(change.Sequence);
            writer.Write(change.TimestampMs);
            writer.Write(change.UserId);
            writer.Write(change.Key);
            if (change.Value is null)
            {
                writer.WriteNil();
            }
            else
            {
                writer.Write(change.Value);
            }
        }
    }

    public static AttributeBatch ReadBatch(ref MessagePackReader reader, WireLimits limits)
    {
        WireRead.ExpectArray(ref reader, 3, "attribute batch");
        string deviceId = WireRead.String(ref reader, limits.MaxStringBytes, "device id");
        if (deviceId.Length == 0)
        {
            throw new ProtocolFormatException("device id is empty.");
        }
        Guid batchId = WireRead.Guid(ref reader, "batch id");
        int count = WireRead.ArrayOf(ref reader, limits.MaxAttributeChangesPerBatch, "attribute changes");
        if (count < 1)
        {
            throw new ProtocolFormatException("An attribute batch holds at least one change.");
        }
        var changes = new AttributeChange[count];
        long previous = 0;
        for (int i = 0; i < count; i++)
        {
            WireRead.ExpectArray(ref reader, ChangeFields, "attribute change");
            long sequence = reader.ReadInt64();
            if (sequence <= previous || sequence > AttributeChange.MaxSequence)
            {
                throw new ProtocolFormatException($"Change {i}: sequence ids must be 1 to {AttributeChange.MaxSequence} and increase strictly.");
            }
            previous = sequence;
            long timestamp = reader.ReadInt64();
            string user = NonEmpty(WireRead.String(ref reader, limits.MaxStringBytes, "user id"), "user id", i);
            string key = NonEmpty(WireRead.String(ref reader, limits.MaxStringBytes, "attribute key"), "attribute key", i);
            string? value = reader.TryReadNil() ? null : WireRead.String(ref reader, limits.MaxStringBytes, "attribute value");
            changes[i] = new AttributeChange(sequence, timestamp, user, key, value);
        }
        return new AttributeBatch(deviceId, batchId, changes);
    }

    public static void Write(ref MessagePackWriter writer, AttributeAck ack)
    {
        writer.WriteArrayHeader(5);
        writer.Write(ack.BatchId.ToByteArray());
        writer.Write(ack.AppliedThrough);
        writer.Write(ack.Applied);
        writer.Write(ack.AlreadyApplied);
        writer.Write(ack.HighestSequence);
    }

    // Four fields from a server that predates HighestSequence (read as 0: nothing to catch up with); fields after the
    // fifth, from a newer server, are skipped, so adding one later does not strand devices already shipped.
    public static AttributeAck ReadAck(ref MessagePackReader reader)
    {
        int fields = reader.ReadArrayHeader();
        if (fields < 4)
        {
            throw new ProtocolFormatException($"attribute acknowledgement: expected at least 4 fields, found {fields}.");
        }
        var ack = new AttributeAck(WireRead.Guid(ref reader, "batch id"), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32(),
            fields >= 5 ? reader.ReadInt64() : 0);
        for (int extra = 5; extra < fields; extra++)
        {
            reader.Skip();
        }
        if (ack.AppliedThrough < 1 || ack.Applied < 0 || ack.AlreadyApplied < 0 || ack.HighestSequence is < 0 or > AttributeChange.MaxSequence)
        {
            throw new ProtocolFormatException("attribute acknowledgement: negative count or sequence id out of range.");
        }
        return ack;
    }

    private static string NonEmpty(string text, string what, int index) =>
        text.Length > 0 ? text : throw new ProtocolFormatException($"Change {index}: {what} is empty.");
}
