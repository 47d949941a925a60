using System.Security.Cryptography;

namespace OnDeviceReco.Server.Auth;

/// <summary>A random secret kept in a file that only the server's user may read, created on first start.</summary>
public static class SecretFiles
{
    /// <summary>The bytes of <paramref name="path"/>, creating it (owner-only, 32 random bytes) when it does not exist.</summary>
    public static byte[] LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(RandomNumberGenerator.GetBytes(32));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance created it first; use theirs.
            }
        }
        return File.ReadAllBytes(path);
    }
}
