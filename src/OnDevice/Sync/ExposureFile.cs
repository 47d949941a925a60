namespace OnDeviceReco.Sync;

/// <summary>
/// Where the last signed exposure table is kept (<c>exposure.odr</c> beside the model versions), exactly as the
/// server sent it, so it is verified again whenever it is read. Written whole to a temporary file and renamed, so
/// a killed process leaves the old table or the new one, never half of one.
/// </summary>
internal static class ExposureFile
{
    private const string Name = "exposure.odr";

    public static void Write(string modelDirectory, byte[] signed)
    {
        Directory.CreateDirectory(modelDirectory);
        string path = Path.Combine(modelDirectory, Name);
        string temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(signed);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The stored bytes, or null when there are none (or more than <paramref name="maxBytes"/>: not ours).</summary>
    public static byte[]? Read(string modelDirectory, int maxBytes)
    {
        string path = Path.Combine(modelDirectory, Name);
        var info = new FileInfo(path);
        return info.Exists && info.Length <= maxBytes ? File.ReadAllBytes(path) : null;
    }

    /// <summary>Removes the stored table; best effort: a file that cannot be removed now is refused again at the next start.</summary>
    public static void Delete(string modelDirectory)
    {
        try
        {
            File.Delete(Path.Combine(modelDirectory, Name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left in place: it is verified (and refused) before every use, so it can do no harm.
        }
    }
}
