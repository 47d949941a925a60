namespace OnDeviceReco.Protocol;

/// <summary>
/// Reads one bundle file into memory in one pass, checking its size before allocating. File-system failures
/// become <see cref="BundleVerificationException"/>s so that a caller of TryVerify never sees an I/O exception.
/// </summary>
internal static class BundleFileReader
{
    public static byte[] Read(string directory, string name, long maxBytes, BundleRejectReason whenMissing, BundleRejectReason whenTooLarge)
    {
        string path = Path.Combine(directory, name);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            long length = RandomAccess.GetLength(handle);
            // No cap can exceed what one array holds, whatever limits the caller configured.
            maxBytes = Math.Min(maxBytes, Array.MaxLength);
            if (length > maxBytes) throw new BundleVerificationException(whenTooLarge, name, $"{name} is {length} bytes; the limit is {maxBytes}.");
            var buffer = new byte[length];
            int filled = 0;
            while (filled < buffer.Length)
            {
                int read = RandomAccess.Read(handle, buffer.AsSpan(filled), filled);
                if (read == 0) break;
                filled += read;
            }
            // A file that shrank while being read yields what was there; its hash or signature will not match.
            return filled == buffer.Length ? buffer : buffer[..filled];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BundleVerificationException(whenMissing, name, $"{name} is missing from the bundle.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BundleVerificationException(BundleRejectReason.Unreadable, name, $"{name} could not be read: {e.Message}", e);
        }
    }
}
