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

    /// <summary>
    /// Overwrites every file of the database with zeros, flushed, then deletes it: deleting alone leaves the bytes in
    /// the freed blocks. Where overwriting in place needs space the disk does not have (copy-on-write file systems),
    /// the file is deleted all the same. Flash storage may still keep old blocks a while; the OS's file encryption
    /// is what covers those.
    /// </summary>
    public static void ShredAll(string path)
    {
        foreach (var file in All(path))
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                var zeros = new byte[64 * 1024];
                for (long left = stream.Length; left > 0; left -= zeros.Length)
                {
                    stream.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
                }
                stream.Flush(flushToDisk: true);
            }
            catch (FileNotFoundException)
            {
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Deleted below whatever happened here.
            }
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
