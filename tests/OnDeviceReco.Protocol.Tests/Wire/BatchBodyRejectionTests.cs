using System.Text;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>Hand-crafted batch bodies that break one rule each are rejected with <see cref="ProtocolFormatException"/>.</summary>
public sealed class BatchBodyRejectionTests
{
    private static ProtocolFormatException Rejected(BatchBody body, string because, WireLimits? limits = null)
    {
        ProtocolFormatException? first = null;
        foreach (bool compress in new[] { true, false })
        {
            byte[] message = body.Seal(compress);
            var e = WireAssert.Rejects(() => WireCodec.DecodeBatch(message, limits), $"{because} (compress {compress})");
            first ??= e;
        }
        return first!;
    }

    [Fact]
    public void The_unedited_sample_is_accepted()
    {
        WireAssert.Equal(BatchBody.SampleBatch(), WireCodec.DecodeBatch(BatchBody.Sample().Seal()));
    }

    [Fact]
    public void More_events_than_the_limit_are_rejected_before_the_columns()
    {
        var body = BatchBody.Sample();
        body.Count = WireLimits.Default.MaxEventsPerBatch + 1;
        body.Last = body.First + body.Count;
        var e = Rejected(body, "count over the limit");
        Assert.Contains("Event count", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_real_batch_over_the_limit_is_rejected()
    {
        int count = WireLimits.Default.MaxEventsPerBatch + 1;
        var events = Enumerable.Range(1, count).Select(i => new WireEvent(i, i * 1000L, "u", "i", 1, 0, WireEvent.NoContext)).ToArray();
        byte[] bytes = WireCodec.Encode(EventBatch.Create("device", events));
        var e = WireAssert.Rejects(() => WireCodec.DecodeBatch(bytes), "50 001 events");
        Assert.Contains("Event count", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lower_event_limit_is_honoured()
    {
        byte[] bytes = WireCodec.Encode(BatchBody.SampleBatch());
        Assert.Equal(3, WireCodec.DecodeBatch(bytes, new WireLimits { MaxEventsPerBatch = 3 }).Events.Count);
        WireAssert.Rejects(() => WireCodec.DecodeBatch(bytes, new WireLimits { MaxEventsPerBatch = 2 }), "3 events, limit 2");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(2L)]
    [InlineData(4L)]
    [InlineData(long.MaxValue)]
    public void A_count_that_does_not_match_the_columns_is_rejected(long count)
    {
        var body = BatchBody.Sample();
        body.Count = count;
        Rejected(body, $"count {count}");
    }

    [Fact]
    public void A_count_larger_than_the_sequence_range_is_rejected()
    {
        var body = BatchBody.Sample();
        body.Last = body.First + 1;
        var e = Rejected(body, "3 events in a range of 2");
        Assert.Contains("sequence range", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, 5L)]
    [InlineData(-1L, 5L)]
    [InlineData(long.MinValue, 5L)]
    [InlineData(10L, 9L)]
    public void An_invalid_sequence_range_is_rejected(long first, long last)
    {
        var body = BatchBody.Sample();
        body.First = first;
        body.Last = last;
        Rejected(body, $"range {first}..{last}");
    }

    [Theory]
    [InlineData(0, 0L)]
    [InlineData(1, 0L)]
    [InlineData(2, 0L)]
    [InlineData(1, -1L)]
    [InlineData(2, -2L)]
    [InlineData(0, -1L)]
    [InlineData(1, long.MinValue)]
    public void Non_increasing_sequence_deltas_are_rejected(int at, long delta)
    {
        var body = BatchBody.Sample();
        body.SequenceDeltas[at] = delta;
        var e = Rejected(body, $"delta {delta} at {at}");
        Assert.True(e.Message.Contains("increase strictly", StringComparison.Ordinal) || e.Message.Contains("the batch says", StringComparison.Ordinal), e.Message);
    }

    [Theory]
    [InlineData(0, 2L)]
    [InlineData(2, 1L)]
    [InlineData(2, 3L)]
    public void Sequences_that_do_not_span_first_to_last_are_rejected(int at, long delta)
    {
        var body = BatchBody.Sample();
        body.SequenceDeltas[at] = delta;
        var e = Rejected(body, $"delta {delta} at {at}");
        Assert.Contains("the batch says", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sequence_that_overflows_is_rejected()
    {
        var body = BatchBody.Sample();
        body.Last = long.MaxValue;
        body.SequenceDeltas[1] = long.MaxValue;
        Rejected(body, "sequence overflow");
    }

    [Fact]
    public void Timestamp_deltas_that_overflow_are_rejected()
    {
        var body = BatchBody.Sample();
        body.TimeDeltas[0] = long.MaxValue;
        body.TimeDeltas[1] = 1;
        Rejected(body, "timestamp overflow");
        body.TimeDeltas[0] = long.MinValue;
        body.TimeDeltas[1] = -1;
        Rejected(body, "timestamp underflow");
    }

    [Fact]
    public void A_string_longer_than_the_limit_is_rejected()
    {
        var rng = new Random(901);
        int limit = WireLimits.Default.MaxStringBytes;
        var body = BatchBody.Sample();
        body.Strings[0] = HandBuilt.Utf8(RandomText.OfExactBytes(rng, limit + 1));
        var e = Rejected(body, "string table entry of limit + 1 bytes");
        Assert.Contains("limit", e.Message, StringComparison.Ordinal);

        body = BatchBody.Sample();
        body.DeviceId = HandBuilt.Utf8(RandomText.OfExactBytes(rng, limit + 1));
        Rejected(body, "device id of limit + 1 bytes");

        body = BatchBody.Sample();
        body.Strings[0] = HandBuilt.Utf8(RandomText.OfExactBytes(rng, limit));
        Assert.Equal(Encoding.UTF8.GetString(body.Strings[0]), WireCodec.DecodeBatch(body.Seal()).Events[0].UserId);
    }

    [Fact]
    public void A_lower_string_limit_is_honoured()
    {
        var events = new[] { new WireEvent(1, 0, new string('u', 300), "i", 1, 0, WireEvent.NoContext) };
        byte[] bytes = WireCodec.Encode(EventBatch.Create("device", events));
        Assert.NotNull(WireCodec.DecodeBatch(bytes, new WireLimits { MaxStringBytes = 300 }));
        WireAssert.Rejects(() => WireCodec.DecodeBatch(bytes, new WireLimits { MaxStringBytes = 299 }), "300-byte user id, limit 299");
    }

    public static TheoryData<string, byte[]> InvalidUtf8() => new()
    {
        { "lone continuation byte", [0x61, 0x80] },
        { "truncated 2-byte sequence", [0xC3] },
        { "bad continuation", [0xC3, 0x28] },
        { "overlong slash", [0xC0, 0xAF] },
        { "overlong NUL", [0xE0, 0x80, 0x80] },
        { "UTF-16 surrogate", [0xED, 0xA0, 0x80] },
        { "truncated emoji", [0xF0, 0x9F, 0x98] },
        { "beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80] },
        { "0xFF byte", [0x69, 0x74, 0x65, 0x6D, 0xFF] },
        { "0xFE byte", [0xFE] },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Invalid_utf8_in_the_string_table_is_rejected(string why, byte[] bytes)
    {
        var body = BatchBody.Sample();
        body.Strings[1] = bytes;
        var e = Rejected(body, why);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Invalid_utf8_in_the_device_id_is_rejected(string why, byte[] bytes)
    {
        var body = BatchBody.Sample();
        body.DeviceId = bytes;
        Rejected(body, why);
    }

    [Theory]
    [InlineData("user", 0, 99L)]
    [InlineData("user", 1, -1L)]
    [InlineData("item", 2, int.MaxValue)]
    [InlineData("item", 0, long.MaxValue)]
    [InlineData("context", 0, 99L)]
    [InlineData("context", 1, -1L)]
    public void A_string_index_outside_the_table_is_rejected(string column, int at, long index)
    {
        var body = BatchBody.Sample();
        var target = column switch
        {
            "user" => body.Users,
            "item" => body.Items,
            _ => body.Contexts[0],
        };
        target[at] = index;
        Rejected(body, $"{column}[{at}] = {index}");
    }

    [Fact]
    public void The_index_equal_to_the_table_size_is_rejected()
    {
        var body = BatchBody.Sample();
        body.Items[1] = body.Strings.Count;
        var e = Rejected(body, "index == table size");
        Assert.Contains("outside the table", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_user_or_item_ids_are_rejected()
    {
        var body = BatchBody.Sample();
        body.Strings.Add([]);
        body.Users[2] = body.Strings.Count - 1;
        Rejected(body, "empty user id");
        body = BatchBody.Sample();
        body.Strings.Add([]);
        body.Items[0] = body.Strings.Count - 1;
        Rejected(body, "empty item id");
    }

    [Fact]
    public void An_empty_device_id_is_rejected()
    {
        var body = BatchBody.Sample();
        body.DeviceId = [];
        Rejected(body, "empty device id");
        body.DeviceId = null;
        Rejected(body, "nil device id");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(-1)]
    public void A_batch_id_that_is_not_16_bytes_is_rejected(int length)
    {
        var body = BatchBody.Sample();
        body.BatchId = length < 0 ? null : new byte[length];
        Rejected(body, $"batch id of {length} bytes");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_values_are_rejected(double value)
    {
        var body = BatchBody.Sample();
        body.Values[1] = value;
        var e = Rejected(body, $"value {value}");
        Assert.Contains("finite", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_errors_are_rejected()
    {
        var body = BatchBody.Sample();
        body.Contexts[0].RemoveAt(3);
        Assert.Contains("odd", Rejected(body, "odd slots").Message, StringComparison.Ordinal);

        body = BatchBody.Sample();
        body.Contexts[0].AddRange([body.Contexts[0][0], body.Contexts[0][1]]);
        Assert.Contains("twice", Rejected(body, "duplicate key").Message, StringComparison.Ordinal);

        body = BatchBody.Sample();
        int keys = WireLimits.Default.MaxContextEntries + 1;
        for (int k = 0; k < keys; k++)
        {
            body.Strings.Add(HandBuilt.Utf8($"key{k}"));
        }
        body.Contexts[2].AddRange(Enumerable.Range(0, keys).SelectMany(k => new long[] { body.Strings.Count - keys + k, 0 }));
        Assert.Contains("limit", Rejected(body, "33 context entries").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sequence")]
    [InlineData("time")]
    [InlineData("user")]
    [InlineData("item")]
    [InlineData("type")]
    [InlineData("value")]
    [InlineData("context")]
    public void A_column_shorter_or_longer_than_the_count_is_rejected(string column)
    {
        foreach (bool longer in new[] { false, true })
        {
            var body = BatchBody.Sample();
            switch (column)
            {
                case "sequence": Edit(body.SequenceDeltas, longer, 1); break;
                case "time": Edit(body.TimeDeltas, longer, 0); break;
                case "user": Edit(body.Users, longer, 0); break;
                case "item": Edit(body.Items, longer, 0); break;
                case "type": Edit(body.Types, longer, 1); break;
                case "value": Edit(body.Values, longer, 0.0); break;
                default: Edit(body.Contexts, longer, new List<long>()); break;
            }
            Rejected(body, $"{column} column {(longer ? "longer" : "shorter")}");
        }

        static void Edit<T>(List<T> list, bool longer, T extra)
        {
            if (longer)
            {
                list.Add(extra);
            }
            else
            {
                list.RemoveAt(list.Count - 1);
            }
        }
    }

    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    public void A_wrong_field_count_is_rejected(int fields)
    {
        var body = BatchBody.Sample();
        body.Fields = fields;
        Rejected(body, $"{fields} fields");
    }

    [Fact]
    public void A_string_table_larger_than_its_limit_is_rejected()
    {
        // The table may hold at most 4 strings per allowed event.
        var limits = new WireLimits { MaxEventsPerBatch = 1 };
        var body = BatchBody.From(EventBatch.Create("d", [new WireEvent(1, 0, "u", "i", 1, 0, WireEvent.NoContext)]));
        body.Strings.AddRange([[0x61], [0x62]]);
        Assert.NotNull(WireCodec.DecodeBatch(body.Seal(), limits));
        body.Strings.Add([0x63]);
        Assert.Contains("string table", Rejected(body, "5 strings for 1 event", limits).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_types_in_columns_are_rejected()
    {
        byte[] raw = BatchBody.Sample().Write();
        // Replace the fixint user index 0 (first of the user column) by nil, true and a string marker, in turn.
        int column = FindUserColumn(raw);
        foreach (byte marker in new byte[] { 0xC0, 0xC3, 0xA0 })
        {
            byte[] edited = (byte[])raw.Clone();
            edited[column + 1] = marker;
            byte[] message = Envelope.Seal(MessageKind.EventBatch, edited, compress: true);
            WireAssert.Rejects(() => WireCodec.DecodeBatch(message), $"marker {marker:X2}");
        }
    }

    /// <summary>Position of the user column's array header in the sample body (0x93 followed by the sample's user indices 0, 0, 7).</summary>
    private static int FindUserColumn(byte[] raw)
    {
        byte[] users = [0x93, 0x00, 0x00, 0x07];
        int at = raw.AsSpan().IndexOf(users);
        Assert.True(at > 0, "user column not found");
        return at;
    }
}
