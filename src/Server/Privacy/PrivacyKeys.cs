using System.Security.Cryptography;
using OnDeviceReco.Feedback;
using OnDeviceReco.Server.Auth;

namespace OnDeviceReco.Server.Privacy;

/// <summary>
/// The keys behind the server's privacy rules, derived from one secret (<c>privacy.secret</c> in the secrets
/// directory, shared by every node like the token secret): the key of erased devices' markers and the key that seeds
/// the noise of shipped counts. Neither may be public: with the marker key a copy of the database tells which ids were
/// erased; with the noise key the noise of a count can be subtracted. Losing the file forgets the erasures' markers
/// (erased ids could register again) and reseeds the noise.
/// </summary>
public sealed class PrivacyKeys
{
    public const string FileName = "privacy.secret";

    public PrivacyKeys(byte[] secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < 32)
        {
            throw new ArgumentException("The privacy secret needs at least 32 bytes.", nameof(secret));
        }
        Erasure = new ErasureMarkers(HMACSHA256.HashData(secret, "odr-privacy/erasure-markers"u8));
        NoiseKey = HMACSHA256.HashData(secret, "odr-privacy/table-noise"u8);
    }

    /// <summary>Reads (or creates, owner-only) the secret in <paramref name="secretsDirectory"/>.</summary>
    public static PrivacyKeys LoadOrCreate(string secretsDirectory) => new(SecretFiles.LoadOrCreate(Path.Combine(secretsDirectory, FileName)));

    /// <summary>How the store remembers erased devices.</summary>
    public ErasureMarkers Erasure { get; }

    /// <summary>Seeds the noise of the counts the server ships (secret, so the noise cannot be subtracted).</summary>
    internal byte[] NoiseKey { get; }
}
