using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire.Support;

/// <summary>Seeded random messages that are valid by the decoders' rules, covering the edges of each field.</summary>
internal static class WireGen
{
    private const long TimeBound = 1L << 61;

    private static readonly double[] SpecialValues =
    [
        0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 0.1, 1.0 / 3, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue,
        1e15, -1e15, 1e15 - 1, -(1e15 - 1), 9007199254740992.0, 9007199254740993.0, 1e300, float.MaxValue, float.Epsilon,
        long.MaxValue, long.MinValue, 2.2250738585072014E-308, 3.4028235677973366E+38,
    ];

    private static readonly string[] Sources = ["model", "content", "popularity"];

    /// <summary>1..<paramref name="maxEvents"/> events: gaps, negative and large time deltas, unicode ids, contexts.</summary>
    public static EventBatch Batch(Random rng, int maxEvents = 2000)
    {
        int count = rng.Next(4) == 0 ? rng.Next(1, Math.Min(20, maxEvents) + 1) : rng.Next(1, maxEvents + 1);
        string device = RandomText.Next(rng, 1, 256);
        string[] users = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => RandomText.Next(rng, 1, 256)).ToArray();
        string[] items = Enumerable.Range(0, rng.Next(1, count + 1)).Select(_ => RandomText.Next(rng, 1, 256)).ToArray();
        long sequence = rng.Next(3) switch
        {
            0 => 1,
            1 => rng.NextInt64(1, 100_000),
            _ => rng.NextInt64(1, 1L << 50),
        };
        long time = rng.Next(3) switch
        {
            0 => rng.NextInt64(1_400_000_000_000, 1_800_000_000_000),
            1 => rng.NextInt64(-TimeBound, 0),
            _ => rng.NextInt64(-TimeBound, TimeBound),
        };
        var events = new WireEvent[count];
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sequence += SequenceGap(rng);
                long delta = TimeDelta(rng);
                time = Math.Abs(time + delta) > TimeBound ? time - delta : time + delta;
            }
            events[i] = new WireEvent(sequence, time, users[rng.Next(users.Length)], items[rng.Next(items.Length)],
                EventType(rng), Value(rng), Context(rng));
        }
        return EventBatch.Create(device, events);
    }

    public static long SequenceGap(Random rng) => rng.Next(100) switch
    {
        < 70 => 1,
        < 90 => rng.Next(2, 11),
        < 98 => rng.Next(11, 1_000_000),
        _ => rng.NextInt64(1_000_000, 1L << 40),
    };

    public static long TimeDelta(Random rng) => rng.Next(100) switch
    {
        < 45 => rng.Next(0, 600_001),
        < 60 => 0,
        < 75 => -rng.Next(1, 1_000_000),
        < 90 => rng.NextInt64(-(1L << 40), 1L << 40),
        _ => rng.NextInt64(-(1L << 55), 1L << 55),
    };

    public static int EventType(Random rng) => rng.Next(10) switch
    {
        < 6 => rng.Next(1, 9),
        < 9 => rng.Next(1000, 2000),
        _ => rng.Next(int.MinValue, int.MaxValue),
    };

    /// <summary>Integers, halves, arbitrary finite doubles (any bit pattern), negatives and the awkward edges.</summary>
    public static double Value(Random rng)
    {
        double sign = rng.Next(2) == 0 ? 1 : -1;
        return rng.Next(8) switch
        {
            0 => 0,
            1 => rng.Next(-100_000, 100_000),
            2 => rng.Next(-20, 21) * 0.5,
            3 => sign * rng.NextInt64(0, 1L << 53),
            4 => sign * rng.NextDouble() * Math.Pow(10, rng.Next(-300, 300)),
            5 => sign * (double)(float)(rng.NextDouble() * 1000),
            6 => SpecialValues[rng.Next(SpecialValues.Length)],
            _ => FiniteBits(rng),
        };
    }

    public static double FiniteBits(Random rng)
    {
        while (true)
        {
            double value = BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue));
            if (double.IsFinite(value))
            {
                return value;
            }
        }
    }

    /// <summary>0..5 entries, usually request_id / rank / source, sometimes arbitrary (and empty) strings.</summary>
    public static IReadOnlyDictionary<string, string> Context(Random rng)
    {
        int entries = rng.Next(3) == 0 ? 0 : rng.Next(0, 6);
        if (entries == 0)
        {
            return rng.Next(2) == 0 ? WireEvent.NoContext : new Dictionary<string, string>();
        }
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        while (context.Count < entries)
        {
            switch (rng.Next(4))
            {
                case 0:
                    context.TryAdd(WireEvent.RequestIdKey, rng.Next(2) == 0 ? NewGuid(rng).ToString("N") : RandomText.Next(rng, 0, 64));
                    break;
                case 1:
                    context.TryAdd(WireEvent.RankKey, rng.Next(0, 100).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case 2:
                    context.TryAdd(WireEvent.SourceKey, Sources[rng.Next(Sources.Length)]);
                    break;
                default:
                    context.TryAdd(RandomText.Next(rng, 0, 64), RandomText.Next(rng, 0, 256));
                    break;
            }
        }
        return context;
    }

    public static Guid NewGuid(Random rng)
    {
        Span<byte> bytes = stackalloc byte[16];
        rng.NextBytes(bytes);
        return new Guid(bytes);
    }

    public static BatchAck Ack(Random rng)
    {
        var ack = new BatchAck(
            NewGuid(rng),
            rng.Next(3) switch { 0 => 0, 1 => rng.NextInt64(0, 1000), _ => rng.NextInt64(0, long.MaxValue) },
            rng.Next(2) == 0 ? rng.Next(0, 2001) : rng.Next(0, int.MaxValue),
            rng.Next(2) == 0 ? 0 : rng.Next(0, int.MaxValue),
            rng.Next(2) == 0);
        if (rng.Next(3) != 0 || ack.AcceptedThrough == 0)
        {
            return ack;
        }
        // A conflict report: strictly increasing ids within the batch, and the server's highest sequence.
        var conflicting = new SortedSet<long>();
        for (int i = rng.Next(0, 40); i > 0; i--)
        {
            conflicting.Add(rng.NextInt64(1, ack.AcceptedThrough + 1));
        }
        return ack with { HighestSequence = rng.NextInt64(0, long.MaxValue), Conflicting = [.. conflicting] };
    }

    public static ModelRelease Release(Random rng)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        int metricCount = rng.Next(3) == 0 ? rng.Next(0, 65) : rng.Next(0, 6);
        while (metrics.Count < metricCount)
        {
            string name = rng.Next(2) == 0 ? $"ndcg@{rng.Next(1, 100)}" : RandomText.Next(rng, 0, 64);
            metrics.TryAdd(name, rng.Next(2) == 0 ? rng.NextDouble() : FiniteBits(rng));
        }
        // DateTimeOffset's range in unix milliseconds, with a random offset (only the instant travels).
        long createdMs = rng.Next(2) == 0
            ? rng.NextInt64(1_500_000_000_000, 1_900_000_000_000)
            : rng.NextInt64(-62_135_596_800_000, 253_402_300_799_999 + 1);
        var created = DateTimeOffset.FromUnixTimeMilliseconds(createdMs);
        if (createdMs is > -62_000_000_000_000 and < 253_000_000_000_000)
        {
            created = created.ToOffset(TimeSpan.FromMinutes(rng.Next(-14 * 60, 14 * 60 + 1)));
        }
        byte[] sha = new byte[32];
        rng.NextBytes(sha);
        return new ModelRelease(
            rng.Next(2) == 0 ? rng.Next(1, 1000) : rng.NextInt64(1, long.MaxValue),
            created,
            rng.Next(2) == 0 ? "sasrec" : RandomText.Next(rng, 0, 64),
            RandomText.Next(rng, 0, 64),
            rng.Next(1, WireLimits.Default.MaxPackageBytes + 1),
            Convert.ToHexStringLower(sha),
            metrics);
    }

    private const string NameAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

    /// <summary>A name the package format accepts: ASCII letters, digits, '.', '_', '-', 1..128 chars, no leading dot.</summary>
    public static string PlainFileName(Random rng)
    {
        int length = rng.Next(3) == 0 ? rng.Next(1, 129) : rng.Next(1, 16);
        var name = new char[length];
        for (int i = 0; i < length; i++)
        {
            name[i] = NameAlphabet[rng.Next(i == 0 ? NameAlphabet.Length - 3 : NameAlphabet.Length)];
        }
        return new string(name);
    }

    public static ModelPackage Package(Random rng)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        int count = rng.Next(0, WireLimits.Default.MaxPackageFiles + 1);
        while (files.Count < count)
        {
            int size = rng.Next(100) switch
            {
                < 10 => 0,
                < 70 => rng.Next(1, 1024),
                < 97 => rng.Next(1024, 64 * 1024),
                _ => rng.Next(64 * 1024, 512 * 1024),
            };
            var content = new byte[size];
            rng.NextBytes(content);
            files.TryAdd(PlainFileName(rng), content);
        }
        return new ModelPackage(rng.Next(2) == 0 ? rng.Next(1, 1000) : rng.NextInt64(1, long.MaxValue), files);
    }

    public static DeviceRegistration Registration(Random rng) =>
        new(RandomText.Next(rng, 1, rng.Next(2) == 0 ? 64 : WireLimits.Default.MaxStringBytes), Secret(rng));

    /// <summary>A device secret as the SDK makes one (base64url of 32 random bytes), or a random one within the limits.</summary>
    public static string Secret(Random rng)
    {
        if (rng.Next(2) == 0)
        {
            var bytes = new byte[32];
            rng.NextBytes(bytes);
            return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }
        return new string('s', rng.Next(DeviceRegistration.MinSecretLength, DeviceRegistration.MaxSecretLength + 1));
    }

    public static DeviceCredential Credential(Random rng) =>
        new(RandomText.Next(rng, 1, rng.Next(2) == 0 ? 64 : WireLimits.Default.MaxStringBytes),
            rng.Next(2) == 0 ? Convert.ToBase64String(NewGuid(rng).ToByteArray()) : RandomText.Next(rng, 1, WireLimits.Default.MaxStringBytes),
            rng.Next(2) == 0 ? rng.Next(1, 86_400) : rng.NextInt64(1, long.MaxValue));

    /// <summary>An attribute batch of 1–20 changes; about one in five is a removal.</summary>
    public static AttributeBatch Attributes(Random rng)
    {
        var changes = new List<AttributeChange>();
        long sequence = 0;
        for (int i = rng.Next(1, 21); i > 0; i--)
        {
            sequence += SequenceGap(rng);
            changes.Add(new AttributeChange(sequence, 1_700_000_000_000 + rng.Next(), RandomText.Next(rng, 1, 40),
                RandomText.Next(rng, 1, 20), rng.Next(5) == 0 ? null : RandomText.Next(rng, 1, 60)));
        }
        return AttributeBatch.Create("device-" + rng.Next(1000), changes);
    }

    public static AttributeAck AttributeAck(Random rng) => new(NewGuid(rng), rng.Next(1, int.MaxValue), rng.Next(0, 1000), rng.Next(0, 1000), rng.NextInt64(0, AttributeChange.MaxSequence + 1));
}
