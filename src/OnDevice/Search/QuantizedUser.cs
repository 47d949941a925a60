namespace OnDeviceReco.Search;

/// <summary>
/// The user vector in the scan's integer form: codes in −63…63 (7 bits, so that the AVX2 path's
/// <c>pmaddubsw</c> — 255 × 63 × 2 — can never saturate and every instruction set computes the same sums),
/// packed four to an int so the scan broadcasts one group with a single load. Reusable: <see cref="Set"/>.
/// </summary>
internal sealed class QuantizedUser
{
    public const int MaxCode = 63;

    public QuantizedUser(int groups) => Groups = new int[groups];

    public QuantizedUser(ReadOnlySpan<float> user, int groups)
        : this(groups) => Set(user);

    /// <summary>Four codes per int, in dimension order (little-endian: dimension 4g is the low byte).</summary>
    public int[] Groups { get; }

    /// <summary>Multiply an integer dot product by this (and the row's scale) to get an approximate score.</summary>
    public float Scale { get; private set; }

    /// <summary>Σ codes: the unsigned-table trick adds 128 × this to every sum, and it is taken off again.</summary>
    public int CodeSum { get; private set; }

    /// <summary>Quantises <paramref name="user"/> (at most 4 × groups values) into this instance.</summary>
    public void Set(ReadOnlySpan<float> user)
    {
        Array.Clear(Groups);
        float max = 0;
        foreach (float v in user)
        {
            max = Math.Max(max, Math.Abs(v));
        }
        Scale = max / MaxCode;
        CodeSum = 0;
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(Groups.AsSpan());
        for (int i = 0; i < user.Length; i++)
        {
            int code = Scale == 0 || !float.IsFinite(user[i]) ? 0 : (int)Math.Clamp(MathF.Round(user[i] / Scale), -MaxCode, MaxCode);
            bytes[i] = (byte)(sbyte)code;
            CodeSum += code;
        }
    }
}
