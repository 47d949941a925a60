using CsCheck;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Events;
using OnDeviceReco.Server.Tests.Support;
using OnDeviceReco.Sync;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Issue 10 §1: one event contract. Generated events — odd white space, zero-width and control characters,
/// surrogates, emoji, ids at and over the byte limit, every type range, odd numbers and times — go through the
/// device's real Track; every one it accepts must pass the server's checks after the trip through the store and
/// the wire.
/// </summary>
public sealed class EventContractPropertyTests
{
    private const string Alphabet = "aZ09 -_.:/\u00A0\u2007\u200B\u200D\uFEFF\u0085\u007F\u0001\t\né漢\uD83D\uDE00\uD800\uDC00";

    private static readonly Gen<string?> Text = Gen.Frequency(
        (1, Gen.Const((string?)null)),
        (12, Gen.Char["abcXYZ019-_.: é漢"].Array[1, 12].Select(chars => (string?)new string(chars))),
        (6, Gen.Char[Alphabet].Array[0, 6].Select(chars => (string?)new string(chars))),
        (2, Gen.Int[80, 130].Select(n => (string?)new string('é', n))),   // 160–260 UTF-8 bytes: both sides of 256
        (1, Gen.Int[250, 260].Select(n => (string?)new string('x', n))));

    private static readonly Gen<IReadOnlyDictionary<string, string>?> Context = Gen.Frequency(
        (6, Gen.Const((IReadOnlyDictionary<string, string>?)null)),
        (2, Gen.Select(Text, Text).Array[0, 18].Select(pairs =>
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in pairs)
            {
                if (key is not null && value is not null)
                {
                    map.TryAdd(key, value);
                }
            }
            return (IReadOnlyDictionary<string, string>?)map;
        })));

    private static readonly Gen<int> Types = Gen.Frequency(
        (4, Gen.Int[1, 8]), (2, Gen.Int[1000, 1999]), (1, Gen.Int[-2, 12]), (1, Gen.Int[990, 2010]), (1, Gen.Int));

    private static readonly Gen<double> Values = Gen.Frequency(
        (4, Gen.Double[-1e6, 1e6]), (1, Gen.Int[0, 5].Select(i => new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, -0.0, double.Epsilon }[i])));

    private static readonly Gen<long> Ages = Gen.Frequency(
        (4, Gen.Long[-3_000_000, 3_000_000]),                                 // around now
        (2, Gen.Long[-(90L * 24 * 3_600_000), 2L * 24 * 3_600_000]),          // months back, two days ahead
        (1, Gen.Long[-(60L * 365 * 24 * 3_600_000), -(50L * 365 * 24 * 3_600_000)])); // around and before 1970

    [Fact]
    public void Every_event_the_device_accepts_the_server_accepts()
    {
        using var dir = new TempDirectory();
        using var store = new BehaviorStore(new StoreOptions { DatabasePath = dir.File("contract/store.db"), MaxQueuedEvents = 1_000_000,
            MaxAge = TimeSpan.FromDays(365 * 100) }); // keep the old timestamps: retention is not under test
        store.SetConsent(ConsentState.Granted);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        int accepted = 0, refused = 0;

        Gen.Select(Text, Text, Types, Values, Ages, Context).Sample((user, item, type, value, age, context) =>
        {
            var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(now + age, -62_135_596_800_000));
            try
            {
                Assert.Equal(TrackOutcome.Accepted, store.Track(user!, item!, (EventType)type, value, timestamp, context));
            }
            catch (InvalidEventException)
            {
                Interlocked.Increment(ref refused); // CsCheck samples on several threads
                return;
            }
            long sequence = Interlocked.Increment(ref accepted);
            var wire = new WireEvent(sequence, timestamp.ToUnixTimeMilliseconds(), user!, item!, type, value, context ?? WireEvent.NoContext);
            var received = WireCodec.DecodeBatch(WireCodec.Encode(EventBatch.Create("device", [wire])));
            Assert.Empty(EventRules.Check(received));
        }, iter: 20_000);

        // Both sides of the contract were exercised, then everything accepted makes the real trip: store, sync encoder, wire.
        Assert.True(accepted > 2_000 && refused > 2_000, $"{accepted} accepted, {refused} refused");
        store.Flush();
        var encoder = new BatchEncoder(store, int.MaxValue, SyncedFields.All);
        long after = 0;
        int checkedEvents = 0;
        while (encoder.Next(after, 5_000) is { } batch)
        {
            var received = WireCodec.DecodeBatch(batch.Body);
            Assert.Empty(EventRules.Check(received));
            checkedEvents += received.Events.Count;
            after = batch.Batch.LastSequence;
        }
        Assert.Equal(accepted, checkedEvents);
    }
}
