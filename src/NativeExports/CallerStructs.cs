using System.Runtime.CompilerServices;

namespace OnDeviceReco.Native;

/// <summary>
/// Writes library-filled structs in the caller's layout: the caller passes its sizeof, which may be larger (a newer
/// header: the bytes past our layout are zeroed) or, in a later version of this library, smaller (an older header:
/// only the fields it has are written). Arrays use that size as their stride. See "How the structs grow" in
/// ondevicereco.h.
/// </summary>
internal static unsafe class CallerStructs
{
    /// <summary>The largest size accepted: no struct of ours will ever grow past it, and a larger value is a bug.</summary>
    private const nuint MaxSize = 64 * 1024;

    /// <summary>Throws unless <paramref name="size"/> holds at least the first layout of T (today's, for a struct that never grew).</summary>
    public static void CheckSize<T>(nuint size, string argument) where T : unmanaged => CheckSize<T>(size, argument, sizeof(T));

    /// <summary>Throws unless <paramref name="size"/> holds at least <paramref name="firstLayoutSize"/>, the struct's first layout.</summary>
    public static void CheckSize<T>(nuint size, string argument, int firstLayoutSize) where T : unmanaged
    {
        if (size < (nuint)firstLayoutSize || size > MaxSize)
        {
            throw new ArgumentException($"{argument} is {size}; pass sizeof of the struct ({sizeof(T)} in this library's header).");
        }
    }

    /// <summary>Writes <paramref name="value"/> as element <paramref name="index"/> of an array of <paramref name="size"/>-byte structs.</summary>
    public static void Write<T>(void* array, nuint size, int index, T value) where T : unmanaged
    {
        byte* target = (byte*)array + (nuint)index * size;
        nuint ours = (nuint)sizeof(T);
        nuint copied = Math.Min(ours, size);
        Unsafe.CopyBlockUnaligned(target, &value, (uint)copied);
        if (size > ours)
        {
            Unsafe.InitBlockUnaligned(target + ours, 0, (uint)(size - ours));
        }
    }

    /// <summary>
    /// Reads a caller-filled struct that starts with its struct_size. A larger size (a newer header) is accepted
    /// only when every byte this library does not know is zero, so a setting it cannot honour is refused instead of
    /// ignored. A smaller size (an older header) is accepted down to the struct's first layout,
    /// <paramref name="firstLayoutSize"/>: the fields it ends before are zero (their defaults).
    /// </summary>
    public static T ReadSized<T>(void* source, string argument, string typeName, int firstLayoutSize) where T : unmanaged
    {
        uint size = *(uint*)source;
        if (size < (uint)firstLayoutSize || size > MaxSize)
        {
            throw new ArgumentException($"{argument}->struct_size is {size}; set it to sizeof({typeName}) ({sizeof(T)} in this library's header).");
        }
        for (uint i = (uint)sizeof(T); i < size; i++)
        {
            if (((byte*)source)[i] != 0)
            {
                throw new ArgumentException($"{argument} sets fields this library (version {typeof(CallerStructs).Assembly.GetName().Version?.ToString(3)}) does not know: byte {i} of {size} is not zero.");
            }
        }
        T value = default;
        Unsafe.CopyBlockUnaligned(&value, source, Math.Min(size, (uint)sizeof(T)));
        return value;
    }
}
