using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// Batch ids derived from what the batch holds. A device that crashed after sending but before recording the
/// acknowledgement rebuilds the same batch from its store after restart and so sends the same id again.
/// </summary>
public static class BatchIds
{
    /// <summary>
    /// The id of the batch of <paramref name="events"/> on <paramref name="deviceId"/>: the range and every event's
    /// content. The content is in it because a store restored from a backup numbers its new events again from where
    /// the backup stood: a batch over the same range with other events must not reuse the id the server has already
    /// seen (it would be refused as a reused id), while the same events sent again still do.
    /// </summary>
    public static Guid Derive(string deviceId, IReadOnlyList<WireEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"odr-batch/2\n{deviceId}\n{events[0].Sequence}\n{events[^1].Sequence}\n{events.Count}\n"));
        Span<byte> number = stackalloc byte[8];
        foreach (var e in events)
        {
            AppendNumber(hash, number, e.Sequence);
            AppendNumber(hash, number, e.TimestampMs);
            AppendNumber(hash, number, e.Type);
            AppendNumber(hash, number, BitConverter.DoubleToInt64Bits(e.Value));
            AppendText(hash, number, e.UserId);
            AppendText(hash, number, e.ItemId);
            AppendNumber(hash, number, e.Context.Count);
            foreach (var (key, value) in e.Context) // in the order the batch carries them, as its body does
            {
                AppendText(hash, number, key);
                AppendText(hash, number, value);
            }
        }
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return new Guid(digest[..16]);
    }

    /// <summary>The id of the attribute batch of <paramref name="count"/> changes from <paramref name="first"/> to <paramref name="last"/> on <paramref name="deviceId"/>.</summary>
    public static Guid DeriveAttributes(string deviceId, long first, long last, int count)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"odr-attributes/1\n{deviceId}\n{first}\n{last}\n{count}"), hash);
        return new Guid(hash[..16]);
    }

    private static void AppendNumber(IncrementalHash hash, Span<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
        hash.AppendData(buffer);
    }

    // Length first, so ("ab", "c") and ("a", "bc") never hash alike.
    private static void AppendText(IncrementalHash hash, Span<byte> buffer, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        AppendNumber(hash, buffer, bytes.Length);
        hash.AppendData(bytes);
    }
}
