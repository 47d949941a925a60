using System.Runtime.InteropServices;
using System.Text;

namespace OnDeviceReco.Native;

/// <summary>Reading C strings safely: NULL, unterminated, oversize and invalid UTF-8 input become clear errors.</summary>
internal static unsafe class Utf8Strings
{
    /// <summary>Longest path or address argument (database_path, bundle_dir, sync_url), in UTF-8 bytes.</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>Longest key argument (trusted_key_pem, sync_api_key), in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 16_384;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a NUL-terminated UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="ArgumentException">When the pointer is NULL, the string too long or not UTF-8.</exception>
    public static string Read(byte* text, string name, int maxBytes)
    {
        if (text is null)
        {
            throw new ArgumentException($"{name} is NULL.", name);
        }
        int length = Length(text, maxBytes);
        if (length > maxBytes)
        {
            throw new ArgumentException($"{name} is longer than {maxBytes} bytes.", name);
        }
        try
        {
            return Strict.GetString(text, length);
        }
        catch (DecoderFallbackException)
        {
            throw new ArgumentException($"{name} is not valid UTF-8.", name);
        }
    }

    /// <summary>
    /// The length of a C string, or <paramref name="maxBytes"/> + 1 when there is no NUL within the limit. Byte by
    /// byte on purpose: C only promises the bytes up to the NUL, and a vectorised search loads whole blocks, which
    /// can reach past the NUL into an unmapped page and crash the host. So no byte after the NUL is ever read,
    /// and at most <paramref name="maxBytes"/> + 1 bytes are read in all. The limits are small (≤ 16 KiB).
    /// </summary>
    private static int Length(byte* text, int maxBytes)
    {
        int length = 0;
        while (length <= maxBytes && text[length] != 0)
        {
            length++;
        }
        return length;
    }

    public static string? ReadOptional(byte* text, string name, int maxBytes) => text is null ? null : Read(text, name, maxBytes);

    /// <summary>Copies <paramref name="value"/> into a fixed buffer, NUL-terminated, cut at a UTF-8 character boundary.</summary>
    public static void Write(string value, byte* destination, int capacity)
    {
        var target = new Span<byte>(destination, capacity);
        int written = 0;
        var remaining = value.AsSpan();
        Span<byte> scratch = stackalloc byte[4];
        while (!remaining.IsEmpty)
        {
            int chars = char.IsHighSurrogate(remaining[0]) && remaining.Length > 1 ? 2 : 1;
            int bytes = Encoding.UTF8.GetBytes(remaining[..chars], scratch);
            if (written + bytes > capacity - 1)
            {
                break;
            }
            scratch[..bytes].CopyTo(target[written..]);
            written += bytes;
            remaining = remaining[chars..];
        }
        target[written] = 0;
    }

    /// <summary>A NUL-terminated copy in native memory; the caller frees it with NativeMemory.Free.</summary>
    public static byte* Allocate(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        var buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, length));
        buffer[length] = 0;
        return buffer;
    }
}
