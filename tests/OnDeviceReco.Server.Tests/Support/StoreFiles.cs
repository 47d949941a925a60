namespace OnDeviceReco.Server.Tests.Support;

/// <summary>A device store's files copied as a backup (or an operating system's restore) copies them: the database and its WAL files.</summary>
public static class StoreFiles
{
    /// <summary>Copies the store at <paramref name="fromPrefix"/> over <paramref name="toPrefix"/> (files of the target the source lacks are deleted).</summary>
    public static void Copy(string fromPrefix, string toPrefix)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(toPrefix)!);
        foreach (string suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(toPrefix + suffix);
            if (File.Exists(fromPrefix + suffix))
            {
                File.Copy(fromPrefix + suffix, toPrefix + suffix);
            }
        }
    }
}
