namespace OnDeviceReco.Protocol;

/// <summary>
/// Writes a bundle's files so that no reader can ever accept a half-written bundle: every file goes to a
/// temporary name and is flushed to disk first, then each is renamed over its final name, data files first,
/// manifest.json next and manifest.sig last. Until the last rename the old signature no longer matches
/// (or the new one does not match the old files), so a verifier in between rejects rather than mixes.
/// </summary>
internal static class BundleFileWriter
{
    public static void Write(string directory, IEnumerable<KeyValuePair<string, byte[]>> filesInOrder)
    {
        Directory.CreateDirectory(directory);
        var staged = new List<(string Temp, string Final)>();
        try
        {
            foreach (var (name, bytes) in filesInOrder)
            {
                // Listed names never start with a dot, so a temporary name cannot collide with a bundle file.
                string temp = Path.Combine(directory, $".{name}.tmp");
                staged.Add((temp, Path.Combine(directory, name)));
                using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            foreach (var (temp, final) in staged) File.Move(temp, final, overwrite: true);
        }
        finally
        {
            foreach (var (temp, _) in staged)
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
    }
}
