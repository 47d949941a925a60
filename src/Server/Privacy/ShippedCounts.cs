using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Server.Privacy;

/// <summary>
/// The one rule for counts that leave the server in a table devices download: a cell ships only when at least k
/// distinct devices are behind it (<see cref="PrivacyOptions.MinDevices"/>), with Laplace noise of scale b
/// (<see cref="PrivacyOptions.NoiseScale"/>) on its count, and only while the noisy count is still at least k, so a
/// cell's presence does not pin its true count at the threshold either. The noise of a cell is a function of a server
/// secret, the table's name, the cell and its true count: the same table downloaded again carries the same noise
/// (nothing to average), a device cannot compute it (the key is secret), and it changes only when the count does.
/// </summary>
public sealed class ShippedCounts(PrivacyOptions options, byte[] noiseKey)
{
    public ShippedCounts(Hosting.ServerOptions options, PrivacyKeys keys)
        : this(options.Privacy, keys.NoiseKey)
    {
    }

    public int MinDevices => options.MinDevices;

    public double NoiseScale => options.NoiseScale;

    /// <summary>The cells of <paramref name="counts"/> that may ship, with their noisy counts, in the order given.</summary>
    /// <param name="table">Names the table (and its version), so two tables' noise is drawn apart.</param>
    /// <param name="counts">Per cell, how many distinct devices are behind it.</param>
    public List<(string Cell, int Count)> Release(string table, IEnumerable<(string Cell, int Devices)> counts)
    {
        var shipped = new List<(string, int)>();
        foreach (var (cell, devices) in counts)
        {
            if (Noisy(table, cell, devices) is { } noisy)
            {
                shipped.Add((cell, noisy));
            }
        }
        return shipped;
    }

    /// <summary>The noisy count of one cell, or null when the cell may not ship.</summary>
    public int? Noisy(string table, string cell, int devices)
    {
        if (devices < options.MinDevices)
        {
            return null;
        }
        double noisy = devices + Laplace(table, cell, devices);
        return noisy >= options.MinDevices ? (int)Math.Min(int.MaxValue, Math.Round(noisy)) : null;
    }

    /// <summary>A Laplace(0, b) draw from the keyed hash of (table, cell, count): inverse CDF of a uniform in (-½, ½).</summary>
    private double Laplace(string table, string cell, int devices)
    {
        if (options.NoiseScale == 0)
        {
            return 0;
        }
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(noiseKey, Encoding.UTF8.GetBytes($"{table}\n{cell}\n{devices}"), hash);
        // 53 random bits → a uniform strictly inside (-½, ½).
        double u = ((BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11) + 0.5) / (1UL << 53) - 0.5;
        return -options.NoiseScale * Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u));
    }
}
