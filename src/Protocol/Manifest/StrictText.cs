using System.Text;

namespace OnDeviceReco.Protocol;

/// <summary>UTF-8 measurements that refuse unpaired surrogates instead of silently replacing them.</summary>
internal static class StrictText
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>UTF-8 length of <paramref name="text"/>, or -1 when it is not valid UTF-16.</summary>
    public static int Utf8Length(string text)
    {
        try
        {
            return Utf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            return -1;
        }
    }

    /// <summary>True when <paramref name="text"/> is valid UTF-16 of at most <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public static bool FitsIn(string text, int maxBytes)
    {
        int length = Utf8Length(text);
        return length >= 0 && length <= maxBytes;
    }

    /// <summary>True for non-empty, valid text of at most <paramref name="maxBytes"/> UTF-8 bytes without control characters.</summary>
    public static bool IsValidToken(string? text, int maxBytes)
    {
        if (string.IsNullOrEmpty(text) || !FitsIn(text, maxBytes)) return false;
        foreach (char c in text)
        {
            if (char.IsControl(c)) return false;
        }
        return true;
    }

    /// <summary>True when <paramref name="text"/> is exactly <paramref name="length"/> lowercase hex digits.</summary>
    public static bool IsLowerHex(string? text, int length)
    {
        if (text is null || text.Length != length) return false;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        }
        return true;
    }
}
