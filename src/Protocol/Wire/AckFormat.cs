using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary><c>[batch id, accepted through, stored, already stored, replayed]</c>.</summary>
internal static class AckFormat
{
    public static void Write(ref MessagePackWriter writer, BatchAck ack)
    {
        writer.WriteArrayHeader(5);
        writer.Write(ack.BatchId.ToByteArray());
        writer.Write(ack.AcceptedThrough);
        writer.Write(ack.Stored);
        writer.Write(ack.AlreadyStored);
        writer.Write(ack.Replayed);
    }

    public static BatchAck Read(ref MessagePackReader reader)
    {
        WireRead.ExpectArray(ref reader, 5, "acknowledgement");
        var ack = new BatchAck(WireRead.Guid(ref reader, "batch id"), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadBoolean());
        if (ack.AcceptedThrough < 0 || ack.Stored < 0 || ack.AlreadyStored < 0)
        {
            throw new ProtocolFormatException("acknowledgement: negative count or sequence id.");
        }
        return ack;
    }
}
