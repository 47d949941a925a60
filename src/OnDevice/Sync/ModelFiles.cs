using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Sync;

/// <summary>
/// Downloaded bundles on disk: <c>v{N}/</c> per version, written to a temporary directory and renamed into place
/// so a crash never leaves a half-written version behind. Only the newest two versions are kept.
/// </summary>
internal static class ModelFiles
{
    public const int VersionsKept = 2;

    public static string WriteVersion(string root, long version, ModelPackage package)
    {
        Directory.CreateDirectory(root);
        string final = Path.Combine(root, $"v{version}");
        string temporary = Path.Combine(root, $".v{version}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            foreach (var (name, bytes) in package.Files)
            {
                // Names were checked to be plain file names by the decoder; check the resolved path anyway.
                string path = Path.GetFullPath(Path.Combine(temporary, name));
                if (Path.GetDirectoryName(path) != Path.GetFullPath(temporary))
                {
                    throw new ProtocolFormatException($"'{name}' would leave the model directory.");
                }
                File.WriteAllBytes(path, bytes);
            }
            if (Directory.Exists(final))
            {
                Directory.Delete(final, recursive: true);
            }
            Directory.Move(temporary, final);
            return final;
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }
    }

    /// <summary>Deletes versions older than the newest <see cref="VersionsKept"/>, and leftovers of interrupted downloads.</summary>
    public static void Prune(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }
        foreach (string leftover in Directory.EnumerateDirectories(root, ".v*"))
        {
            TryDelete(leftover);
        }
        foreach (var old in Versions(root).Skip(VersionsKept))
        {
            TryDelete(old.Directory);
        }
    }

    /// <summary>Downloaded versions, newest first.</summary>
    public static IEnumerable<(long Version, string Directory)> Versions(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateDirectories(root, "v*")
                .Select(d => (Ok: long.TryParse(Path.GetFileName(d).AsSpan(1), out long v), Version: v, Directory: d))
                .Where(x => x.Ok)
                .OrderByDescending(x => x.Version)
                .Select(x => (x.Version, x.Directory))
                .ToList()
            : [];

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // In use or already gone: the next prune tries again.
        }
    }
}
