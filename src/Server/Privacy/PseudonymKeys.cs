using System.Globalization;
using System.Text.RegularExpressions;
using OnDeviceReco.Feedback;
using OnDeviceReco.Server.Auth;

namespace OnDeviceReco.Server.Privacy;

/// <summary>
/// The keys of the pseudonyms the store holds instead of ids, one file per period in the secrets directory
/// (<c>pseudonyms-N.secret</c>, owner-only, created on first start of a period; every node mounts the same
/// directory, as for the token key). The current period (<see cref="PrivacyOptions.PseudonymPeriod"/>) names new
/// data; the files of earlier periods still present are kept for erasure, which must find a device's rows under
/// every name it had. A later period's file is ignored (a node not yet raised to it).
/// </summary>
public static partial class PseudonymKeys
{
    /// <summary>The file holding period <paramref name="period"/>'s key.</summary>
    public static string FileName(int period) => string.Create(CultureInfo.InvariantCulture, $"pseudonyms-{period}.secret");

    /// <summary>Reads (creating the current one if missing) the keys in <paramref name="secretsDirectory"/>.</summary>
    public static IdPseudonyms LoadOrCreate(string secretsDirectory, int currentPeriod)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(currentPeriod, 1);
        byte[] current = SecretFiles.LoadOrCreate(Path.Combine(secretsDirectory, FileName(currentPeriod)));
        var earlier = Directory.EnumerateFiles(secretsDirectory, "pseudonyms-*.secret")
            .Select(path => (Path: path, Match: KeyFile().Match(Path.GetFileName(path))))
            .Where(file => file.Match.Success && int.TryParse(file.Match.Groups[1].ValueSpan, CultureInfo.InvariantCulture, out int period) && period < currentPeriod)
            .OrderByDescending(file => int.Parse(file.Match.Groups[1].ValueSpan, CultureInfo.InvariantCulture))
            .Select(file => File.ReadAllBytes(file.Path))
            .ToList();
        return new IdPseudonyms(current, earlier);
    }

    [GeneratedRegex(@"^pseudonyms-([0-9]{1,9})\.secret$")]
    private static partial Regex KeyFile();
}
