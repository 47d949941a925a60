using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Feedback;

/// <summary>
/// What the store keeps of an erased device: an HMAC-SHA256 of its id under a key held outside the database (the
/// server's secrets directory), never the id. Enough to refuse that id for good — its registration, its batches, a
/// backup of the device's store restored later — while a copy of the database alone cannot tell which ids were
/// erased, not even by trying a list of candidates.
/// </summary>
public sealed class ErasureMarkers
{
    private readonly byte[] _key;

    /// <param name="key">At least 32 bytes, the same on every node that shares the store.</param>
    public ErasureMarkers(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The erasure marker key needs at least 32 bytes.", nameof(key));
        }
        _key = key;
    }

    /// <summary>
    /// Markers under a fixed, public key: for tools that open a store without the server's secrets (the trainer,
    /// benchmarks). The marker still never holds the id, but anyone could test a guessed id against it.
    /// </summary>
    public static ErasureMarkers Unkeyed { get; } = new(SHA256.HashData("odr-erasure-marker/unkeyed"u8));

    /// <summary>The marker of <paramref name="deviceId"/>.</summary>
    public byte[] Of(string deviceId) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("odr-erased-device/1\n" + deviceId));
}

/// <summary>The device was erased: the store refuses anything more under its id.</summary>
public sealed class DeviceErasedException()
    : Exception("This device id was erased; the server takes nothing more under it.");
