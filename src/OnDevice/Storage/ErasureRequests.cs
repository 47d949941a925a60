using System.Security.Cryptography;
using System.Text;

namespace OnDeviceReco.Storage;

/// <summary>
/// An erasure of the store that is not finished yet: the identity it erased, with the secret that proves it to the
/// server. <see cref="ToServer"/> when that identity may have reached a server (it tried to register), whose copy must
/// then be erased too.
/// </summary>
internal sealed record ErasureRequest(string DeviceId, string Secret, bool ToServer)
{
    /// <summary>Keeps the secret out of logs and debugger displays.</summary>
    public override string ToString() => $"ErasureRequest {{ DeviceId = {DeviceId}, ToServer = {ToServer} }}";
}

/// <summary>
/// The erasures a store still owes, in a small file beside the database (<c>DATABASE.erase</c>) that the erasure itself
/// never deletes: written (and flushed) before the database is touched, so an erasure cut short by a crash is finished
/// when the store next opens, and an erasure the server has not confirmed yet is asked for at the next sync, after a
/// restart too. It holds only erased identities (id and secret: no user id, no event) and is deleted once nothing is
/// owed. Replaced whole through a temporary file and a rename, so it is the old list or the new one, never half;
/// its last line is the SHA-256 of the others, and a file that does not match is not read.
/// </summary>
internal static class ErasureRequests
{
    private const string Header = "odr-erasure/1";
    private const string ChecksumPrefix = "sha256:";
    private const int MaxBytes = 64 * 1024;

    public static string PathOf(string databasePath) => databasePath + ".erase";

    /// <summary>What is owed; empty when there is no file or when it is damaged (then nothing can be done with it).</summary>
    public static IReadOnlyList<ErasureRequest> Read(string databasePath)
    {
        string path = PathOf(databasePath);
        var info = new FileInfo(path);
        if (!info.Exists || info.Length > MaxBytes)
        {
            return [];
        }
        string[] lines = File.ReadAllText(path, Encoding.UTF8).Split('\n');
        if (lines is not [Header, .., var last] || !last.StartsWith(ChecksumPrefix, StringComparison.Ordinal)
            || last[ChecksumPrefix.Length..] != Checksum(lines[..^1]))
        {
            return [];
        }
        var requests = new List<ErasureRequest>();
        foreach (string line in lines[1..^1])
        {
            if (line.Split('\t') is [var id, var secret, var toServer and ("0" or "1")] && id.Length > 0 && secret.Length > 0)
            {
                requests.Add(new ErasureRequest(id, secret, toServer == "1"));
            }
        }
        return requests;
    }

    /// <summary>Replaces the list durably (flushed to the disk before the rename); deletes the file when nothing is owed.</summary>
    /// <exception cref="IOException">When the file cannot be written (a full disk): the previous list stands.</exception>
    public static void Write(string databasePath, IReadOnlyList<ErasureRequest> requests)
    {
        string path = PathOf(databasePath);
        if (requests.Count == 0)
        {
            File.Delete(path);
            return;
        }
        var lines = new List<string> { Header };
        lines.AddRange(requests.Select(r => $"{r.DeviceId}\t{r.Secret}\t{(r.ToServer ? "1" : "0")}"));
        lines.Add(ChecksumPrefix + Checksum([.. lines]));
        string temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static string Checksum(string[] lines) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));
}
