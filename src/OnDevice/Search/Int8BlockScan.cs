using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OnDeviceReco.Protocol;

namespace OnDeviceReco.Search;

/// <summary>
/// Integer dot products of one interleaved block of 16 rows with the quantised user vector
/// (<see cref="CompactTableLayout"/>). AVX-VNNI does 8 rows × 4 codes per <c>vpdpbusd</c>; AVX2 does the same
/// with <c>pmaddubsw</c> + <c>pmaddwd</c>; anything else gets the scalar loop. All three give identical sums.
/// The multiply-accumulate instructions take unsigned × signed bytes, so table codes are flipped to
/// code + 128 (an XOR with 0x80) and 128 × Σ user codes is subtracted afterwards.
/// </summary>
internal static class Int8BlockScan
{
    /// <summary>Which path this machine runs, for reports.</summary>
    public static string Path => AvxVnni.IsSupported ? "AVX-VNNI" : Avx2.IsSupported ? "AVX2" : "scalar";

    /// <summary>The portable loop, also the reference the vector paths are tested against.</summary>
    public static void ScalarBlock(ReadOnlySpan<sbyte> codes, int stride, int block, QuantizedUser user, Span<int> sums) =>
        Scalar(codes, block * CompactTableLayout.BlockRows * stride, user, sums);

    /// <summary>Writes the 16 sums of block <paramref name="block"/> into <paramref name="sums"/> (length 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(ReadOnlySpan<sbyte> codes, int stride, int block, QuantizedUser user, Span<int> sums)
    {
        int offset = block * CompactTableLayout.BlockRows * stride;
        if (AvxVnni.IsSupported)
        {
            Vnni(codes, offset, user, sums);
        }
        else if (Avx2.IsSupported)
        {
            Avx2Path(codes, offset, user, sums);
        }
        else
        {
            Scalar(codes, offset, user, sums);
        }
    }

    private static void Vnni(ReadOnlySpan<sbyte> codes, int offset, QuantizedUser user, Span<int> sums)
    {
        ref byte p = ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref MemoryMarshal.GetReference(codes), offset));
        ref int u = ref MemoryMarshal.GetArrayDataReference(user.Groups);
        var flip = Vector256.Create((byte)0x80);
        Vector256<int> low = Vector256<int>.Zero, high = Vector256<int>.Zero;
        for (int g = 0; g < user.Groups.Length; g++)
        {
            var broadcast = Vector256.Create(Unsafe.Add(ref u, g)).AsSByte();
            low = AvxVnni.MultiplyWideningAndAdd(low, Vector256.LoadUnsafe(ref p, (nuint)(g * 64)) ^ flip, broadcast);
            high = AvxVnni.MultiplyWideningAndAdd(high, Vector256.LoadUnsafe(ref p, (nuint)(g * 64 + 32)) ^ flip, broadcast);
        }
        Store(low, high, user.CodeSum, sums);
    }

    private static void Avx2Path(ReadOnlySpan<sbyte> codes, int offset, QuantizedUser user, Span<int> sums)
    {
        ref byte p = ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref MemoryMarshal.GetReference(codes), offset));
        ref int u = ref MemoryMarshal.GetArrayDataReference(user.Groups);
        var flip = Vector256.Create((byte)0x80);
        var ones = Vector256.Create((short)1);
        Vector256<int> low = Vector256<int>.Zero, high = Vector256<int>.Zero;
        for (int g = 0; g < user.Groups.Length; g++)
        {
            var broadcast = Vector256.Create(Unsafe.Add(ref u, g)).AsSByte();
            // Pairs of byte products summed to 16 bits (never saturating: |user code| ≤ 63), then pairs of those to 32.
            var a = Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref p, (nuint)(g * 64)) ^ flip, broadcast);
            var b = Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref p, (nuint)(g * 64 + 32)) ^ flip, broadcast);
            low += Avx2.MultiplyAddAdjacent(a, ones);
            high += Avx2.MultiplyAddAdjacent(b, ones);
        }
        Store(low, high, user.CodeSum, sums);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<int> low, Vector256<int> high, int codeSum, Span<int> sums)
    {
        var bias = Vector256.Create(128 * codeSum);
        (low - bias).CopyTo(sums);
        (high - bias).CopyTo(sums[8..]);
    }

    private static void Scalar(ReadOnlySpan<sbyte> codes, int offset, QuantizedUser user, Span<int> sums)
    {
        var userCodes = MemoryMarshal.Cast<int, sbyte>(user.Groups.AsSpan());
        const int lanes = CompactTableLayout.BlockRows, width = CompactTableLayout.GroupDims;
        for (int row = 0; row < lanes; row++)
        {
            int sum = 0;
            for (int g = 0; g < user.Groups.Length; g++)
            {
                int at = offset + g * lanes * width + row * width;
                for (int j = 0; j < width; j++)
                {
                    sum += codes[at + j] * userCodes[g * width + j];
                }
            }
            sums[row] = sum;
        }
    }
}
