namespace OnDeviceReco.Storage;

/// <summary>The files one SQLite database consists of, and operations over all of them at once.</summary>
internal static class DatabaseFiles
{
    private static readonly string[] Suffixes = ["", "-wal", "-shm", "-journal"];

    public static IEnumerable<string> All(string path) => Suffixes.Select(suffix => path + suffix);

    public static void DeleteAll(string path)
    {
        foreach (var file in All(path))
        {
            File.Delete(file);
        }
    }

    /// <summary>Renames the database and its side files to <c>path.corrupt-TIMESTAMP</c>; returns the new main path.</summary>
    public static string MoveAside(string path, DateTimeOffset now)
    {
        string target = $"{path}.corrupt-{now:yyyyMMddTHHmmssfff}";
        foreach (var suffix in Suffixes)
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, target + suffix, overwrite: true);
            }
        }
        return target;
    }

    private static ReadOnlySpan<byte> Magic => "SQLite format 3\0"u8;

    /// <summary>A non-empty file that does not start with SQLite's magic header is not a database.</summary>
    public static bool HasForeignHeader(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length == 0)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[16];
        using var stream = File.OpenRead(path);
        int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        return read < header.Length || !header.SequenceEqual(Magic);
    }
}
