using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// An event batch laid out by column: a string table, then sequence deltas, timestamp deltas, user, item, type,
/// value and context columns. Columns put alike bytes together (sequence deltas are mostly 1, a device has one
/// or few users, one event type dominates), which is what lets LZ4 bring a batch to a few bytes per event.
/// </summary>
internal static class EventBatchFormat
{
    private const int Fields = 13;

    public static void Write(ref MessagePackWriter writer, EventBatch batch)
    {
        var events = batch.Events;
        var strings = new StringTable();
        writer.WriteArrayHeader(Fields);
        writer.Write(batch.DeviceId);
        writer.Write(batch.BatchId.ToByteArray());
        writer.Write(batch.FirstSequence);
        writer.Write(batch.LastSequence);

        // Index every string first so the table can precede the columns that refer to it.
        var users = new int[events.Count];
        var items = new int[events.Count];
        for (int i = 0; i < events.Count; i++)
        {
            users[i] = strings.IndexOf(events[i].UserId);
            items[i] = strings.IndexOf(events[i].ItemId);
            foreach (var pair in events[i].Context)
            {
                strings.IndexOf(pair.Key);
                strings.IndexOf(pair.Value);
            }
        }
        writer.WriteArrayHeader(strings.Count);
        foreach (string text in strings.InOrder)
        {
            writer.Write(text);
        }
        writer.Write(events.Count);

        writer.WriteArrayHeader(events.Count);
        long previousSequence = batch.FirstSequence - 1;
        foreach (var e in events)
        {
            writer.Write(e.Sequence - previousSequence);
            previousSequence = e.Sequence;
        }
        writer.WriteArrayHeader(events.Count);
        long previousTime = 0;
        foreach (var e in events)
        {
            writer.Write(e.TimestampMs - previousTime);
            previousTime = e.TimestampMs;
        }
        WriteColumn(ref writer, users);
        WriteColumn(ref writer, items);
        writer.WriteArrayHeader(events.Count);
        foreach (var e in events)
        {
            writer.Write(e.Type);
        }
        writer.WriteArrayHeader(events.Count);
        foreach (var e in events)
        {
            WireRead.WriteCompact(ref writer, e.Value);
        }
        writer.WriteArrayHeader(events.Count);
        foreach (var e in events)
        {
            writer.WriteArrayHeader(e.Context.Count * 2);
            foreach (var pair in e.Context)
            {
                writer.Write(strings.IndexOf(pair.Key));
                writer.Write(strings.IndexOf(pair.Value));
            }
        }
    }

    public static EventBatch Read(ref MessagePackReader reader, WireLimits limits)
    {
        WireRead.ExpectArray(ref reader, Fields, "event batch");
        string deviceId = WireRead.String(ref reader, limits.MaxStringBytes, "device id");
        if (deviceId.Length == 0)
        {
            throw new ProtocolFormatException("device id is empty.");
        }
        Guid batchId = WireRead.Guid(ref reader, "batch id");
        long first = reader.ReadInt64();
        long last = reader.ReadInt64();
        if (first < 1 || last < first)
        {
            throw new ProtocolFormatException($"Sequence range {first}..{last} is not a valid range of positive ids.");
        }
        int stringCount = WireRead.ArrayOf(ref reader, limits.MaxEventsPerBatch * 4, "string table");
        var strings = new string[stringCount];
        for (int i = 0; i < stringCount; i++)
        {
            strings[i] = WireRead.String(ref reader, limits.MaxStringBytes, "string table entry");
        }
        int count = reader.ReadInt32();
        if (count < 1 || count > limits.MaxEventsPerBatch || count - 1 > last - first)
        {
            throw new ProtocolFormatException($"Event count {count} is outside 1..{limits.MaxEventsPerBatch} or larger than the sequence range.");
        }
        var sequences = new long[count];
        ExpectColumn(ref reader, count, "sequence column");
        long sequence = first - 1;
        for (int i = 0; i < count; i++)
        {
            long delta = reader.ReadInt64();
            if (delta < 1)
            {
                throw new ProtocolFormatException($"Event {i}: sequence ids must increase strictly.");
            }
            sequence = checked(sequence + delta);
            sequences[i] = sequence;
        }
        if (sequences[0] != first || sequence != last)
        {
            throw new ProtocolFormatException($"Events run {sequences[0]}..{sequence}, the batch says {first}..{last}.");
        }
        var times = new long[count];
        ExpectColumn(ref reader, count, "timestamp column");
        long time = 0;
        for (int i = 0; i < count; i++)
        {
            time = checked(time + reader.ReadInt64());
            times[i] = time;
        }
        var users = ReadIndexColumn(ref reader, count, strings, "user column");
        var items = ReadIndexColumn(ref reader, count, strings, "item column");
        var types = new int[count];
        ExpectColumn(ref reader, count, "type column");
        for (int i = 0; i < count; i++)
        {
            types[i] = reader.ReadInt32();
        }
        var values = new double[count];
        ExpectColumn(ref reader, count, "value column");
        for (int i = 0; i < count; i++)
        {
            values[i] = WireRead.FiniteDouble(ref reader, "value");
        }
        ExpectColumn(ref reader, count, "context column");
        var events = new WireEvent[count];
        for (int i = 0; i < count; i++)
        {
            var context = ReadContext(ref reader, strings, limits);
            events[i] = new WireEvent(sequences[i], times[i], users[i], items[i], types[i], values[i], context);
        }
        return new EventBatch(deviceId, batchId, first, last, events);
    }

    private static IReadOnlyDictionary<string, string> ReadContext(ref MessagePackReader reader, string[] strings, WireLimits limits)
    {
        int slots = WireRead.ArrayOf(ref reader, limits.MaxContextEntries * 2, "context");
        if (slots == 0)
        {
            return WireEvent.NoContext;
        }
        if (slots % 2 != 0)
        {
            throw new ProtocolFormatException("context: odd number of key/value slots.");
        }
        var context = new Dictionary<string, string>(slots / 2, StringComparer.Ordinal);
        for (int j = 0; j < slots; j += 2)
        {
            string key = strings[Index(ref reader, strings.Length, "context key")];
            string value = strings[Index(ref reader, strings.Length, "context value")];
            if (!context.TryAdd(key, value))
            {
                throw new ProtocolFormatException($"context: key '{key}' appears twice.");
            }
        }
        return context;
    }

    private static void WriteColumn(ref MessagePackWriter writer, int[] column)
    {
        writer.WriteArrayHeader(column.Length);
        foreach (int value in column)
        {
            writer.Write(value);
        }
    }

    private static string[] ReadIndexColumn(ref MessagePackReader reader, int count, string[] strings, string what)
    {
        ExpectColumn(ref reader, count, what);
        var column = new string[count];
        for (int i = 0; i < count; i++)
        {
            column[i] = strings[Index(ref reader, strings.Length, what)];
            if (column[i].Length == 0)
            {
                throw new ProtocolFormatException($"{what}: event {i} has an empty id.");
            }
        }
        return column;
    }

    private static int Index(ref MessagePackReader reader, int tableSize, string what)
    {
        int index = reader.ReadInt32();
        if ((uint)index >= (uint)tableSize)
        {
            throw new ProtocolFormatException($"{what}: string index {index} is outside the table of {tableSize}.");
        }
        return index;
    }

    private static void ExpectColumn(ref MessagePackReader reader, int count, string what) =>
        WireRead.ExpectArray(ref reader, count, what);

    /// <summary>Strings in first-seen order with their indices.</summary>
    private sealed class StringTable
    {
        private readonly Dictionary<string, int> _indices = new(StringComparer.Ordinal);
        public List<string> InOrder { get; } = [];
        public int Count => InOrder.Count;

        public int IndexOf(string text)
        {
            if (!_indices.TryGetValue(text, out int index))
            {
                index = InOrder.Count;
                _indices.Add(text, index);
                InOrder.Add(text);
            }
            return index;
        }
    }
}
