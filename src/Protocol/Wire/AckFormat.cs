using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// <c>[batch id, accepted through, stored, already stored, replayed]</c>, followed by <c>highest sequence,
/// [conflicting sequence ids…]</c> only when there is something to report: the everyday acknowledgement stays the five
/// fields devices shipped before knew (their reader takes exactly five).
/// </summary>
internal static class AckFormat
{
    private const int BaseFields = 5;
    private const int ConflictFields = 7;

    public static void Write(ref MessagePackWriter writer, BatchAck ack)
    {
        bool reports = ack.HighestSequence != 0 || ack.ConflictingSequences.Count > 0;
        writer.WriteArrayHeader(reports ? ConflictFields : BaseFields);
        writer.Write(ack.BatchId.ToByteArray());
        writer.Write(ack.AcceptedThrough);
        writer.Write(ack.Stored);
        writer.Write(ack.AlreadyStored);
        writer.Write(ack.Replayed);
        if (reports)
        {
            writer.Write(ack.HighestSequence);
            writer.WriteArrayHeader(ack.ConflictingSequences.Count);
            foreach (long sequence in ack.ConflictingSequences)
            {
                writer.Write(sequence);
            }
        }
    }

    // Five fields from a server that predates conflicts (none reported); fields after the seventh, from a newer server,
    // are skipped, so adding one later does not strand devices already shipped.
    public static BatchAck Read(ref MessagePackReader reader, WireLimits limits)
    {
        int fields = reader.ReadArrayHeader();
        if (fields < BaseFields)
        {
            throw new ProtocolFormatException($"acknowledgement: expected at least {BaseFields} fields, found {fields}.");
        }
        var ack = new BatchAck(WireRead.Guid(ref reader, "batch id"), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadBoolean());
        if (ack.AcceptedThrough < 0 || ack.Stored < 0 || ack.AlreadyStored < 0)
        {
            throw new ProtocolFormatException("acknowledgement: negative count or sequence id.");
        }
        long highest = fields > BaseFields ? reader.ReadInt64() : 0;
        if (highest < 0)
        {
            throw new ProtocolFormatException($"acknowledgement: highest sequence id {highest} is negative.");
        }
        long[] conflicting = fields > BaseFields + 1 ? ReadConflicting(ref reader, limits, ack.AcceptedThrough) : [];
        for (int extra = ConflictFields; extra < fields; extra++)
        {
            reader.Skip();
        }
        return ack with { HighestSequence = highest, Conflicting = conflicting };
    }

    /// <summary>Strictly increasing ids within the batch's range (1 to accepted-through), at most a batch's worth.</summary>
    private static long[] ReadConflicting(ref MessagePackReader reader, WireLimits limits, long acceptedThrough)
    {
        int count = WireRead.ArrayOf(ref reader, limits.MaxEventsPerBatch, "conflicting sequence ids");
        var sequences = new long[count];
        long previous = 0;
        for (int i = 0; i < count; i++)
        {
            long sequence = reader.ReadInt64();
            if (sequence <= previous || sequence > acceptedThrough)
            {
                throw new ProtocolFormatException($"acknowledgement: conflicting sequence id {sequence} is not increasing within 1..{acceptedThrough}.");
            }
            sequences[i] = previous = sequence;
        }
        return sequences;
    }
}
