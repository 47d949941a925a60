using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire.Support;

/// <summary>Field-by-field comparisons (so a failure names the event and field) and the decoders' rejection contract.</summary>
internal static class WireAssert
{
    public static void Equal(EventBatch expected, EventBatch actual, string because = "")
    {
        Assert.True(expected.DeviceId == actual.DeviceId, $"{because} device id differs");
        Assert.True(expected.BatchId == actual.BatchId, $"{because} batch id differs");
        Assert.True(expected.FirstSequence == actual.FirstSequence, $"{because} first sequence {expected.FirstSequence} vs {actual.FirstSequence}");
        Assert.True(expected.LastSequence == actual.LastSequence, $"{because} last sequence {expected.LastSequence} vs {actual.LastSequence}");
        Assert.True(expected.Events.Count == actual.Events.Count, $"{because} event count {expected.Events.Count} vs {actual.Events.Count}");
        for (int i = 0; i < expected.Events.Count; i++)
        {
            WireEvent e = expected.Events[i], a = actual.Events[i];
            string at = $"{because} event {i}:";
            Assert.True(e.Sequence == a.Sequence, $"{at} sequence {e.Sequence} vs {a.Sequence}");
            Assert.True(e.TimestampMs == a.TimestampMs, $"{at} timestamp {e.TimestampMs} vs {a.TimestampMs}");
            Assert.True(e.UserId == a.UserId, $"{at} user id differs");
            Assert.True(e.ItemId == a.ItemId, $"{at} item id differs");
            Assert.True(e.Type == a.Type, $"{at} type {e.Type} vs {a.Type}");
            Assert.True(BitConverter.DoubleToInt64Bits(e.Value) == BitConverter.DoubleToInt64Bits(a.Value),
                $"{at} value {e.Value:R} vs {a.Value:R} (bit-exact)");
            Assert.True(e.Context.Count == a.Context.Count, $"{at} context size {e.Context.Count} vs {a.Context.Count}");
            foreach (var (key, value) in e.Context)
            {
                Assert.True(a.Context.TryGetValue(key, out string? decoded) && decoded == value, $"{at} context '{key}' differs");
            }
        }
        Assert.Equal(expected, actual);
    }

    public static void Equal(ModelRelease expected, ModelRelease actual)
    {
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.CreatedAt.ToUnixTimeMilliseconds(), actual.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(expected.Architecture, actual.Architecture);
        Assert.Equal(expected.KeyId, actual.KeyId);
        Assert.Equal(expected.PackageBytes, actual.PackageBytes);
        Assert.Equal(expected.PackageSha256, actual.PackageSha256);
        Assert.Equal(expected.Metrics.Count, actual.Metrics.Count);
        foreach (var (name, value) in expected.Metrics)
        {
            Assert.True(actual.Metrics.TryGetValue(name, out double decoded), $"metric '{name}' missing");
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(decoded));
        }
    }

    public static void Equal(ModelPackage expected, ModelPackage actual)
    {
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.Files.Keys.Order(StringComparer.Ordinal), actual.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in expected.Files)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual.Files[name]), $"file '{name}' content differs");
        }
    }

    /// <summary>The decoder threw <see cref="ProtocolFormatException"/> and nothing else.</summary>
    public static ProtocolFormatException Rejects(Action decode, string because = "")
    {
        Exception? thrown = Record.Exception(decode);
        Assert.True(thrown is not null, $"{because}: accepted, expected a ProtocolFormatException");
        Assert.True(thrown is ProtocolFormatException, $"{because}: threw {thrown!.GetType().FullName}: {thrown}");
        return (ProtocolFormatException)thrown;
    }

    /// <summary>The decoder either returned a value or threw <see cref="ProtocolFormatException"/>; anything else fails.</summary>
    public static T? DecodesOrRejects<T>(Func<T> decode, string because) where T : class
    {
        try
        {
            return decode();
        }
        catch (ProtocolFormatException)
        {
            return null;
        }
        catch (Exception e)
        {
            Assert.Fail($"{because}: threw {e.GetType().FullName} instead of ProtocolFormatException: {e}");
            throw;
        }
    }

    /// <summary>What every decoded batch must satisfy whatever bytes produced it.</summary>
    public static void IsWellFormed(EventBatch batch, WireLimits limits)
    {
        Assert.NotEmpty(batch.DeviceId);
        Assert.InRange(batch.Events.Count, 1, limits.MaxEventsPerBatch);
        Assert.True(batch.FirstSequence >= 1);
        Assert.Equal(batch.FirstSequence, batch.Events[0].Sequence);
        Assert.Equal(batch.LastSequence, batch.Events[^1].Sequence);
        for (int i = 0; i < batch.Events.Count; i++)
        {
            WireEvent e = batch.Events[i];
            Assert.NotEmpty(e.UserId);
            Assert.NotEmpty(e.ItemId);
            Assert.True(double.IsFinite(e.Value));
            Assert.InRange(e.Context.Count, 0, limits.MaxContextEntries);
            if (i > 0)
            {
                Assert.True(e.Sequence > batch.Events[i - 1].Sequence);
            }
        }
    }
}
