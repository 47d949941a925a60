using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// Batch ids derived from what the batch covers. A device that crashed after sending but before recording the
/// acknowledgement rebuilds the same batch from its store after restart and so sends the same id again.
/// </summary>
public static class BatchIds
{
    /// <summary>The id of the batch of <paramref name="count"/> events from <paramref name="first"/> to <paramref name="last"/> on <paramref name="deviceId"/>.</summary>
    public static Guid Derive(string deviceId, long first, long last, int count)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"odr-batch/1\n{deviceId}\n{first}\n{last}\n{count}"), hash);
        return new Guid(hash[..16]);
    }

    /// <summary>The id of the attribute batch of <paramref name="count"/> changes from <paramref name="first"/> to <paramref name="last"/> on <paramref name="deviceId"/>.</summary>
    public static Guid DeriveAttributes(string deviceId, long first, long last, int count)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"odr-attributes/1\n{deviceId}\n{first}\n{last}\n{count}"), hash);
        return new Guid(hash[..16]);
    }
}
