namespace OnDeviceReco.Protocol;

/// <summary>
/// The layout of <c>items.bin</c>, little-endian throughout:
/// <code>
/// header     32 bytes: "ODRITEMS", u32 layout version (1), u32 items N, u32 categories C, u32 category sets S,
///                      u32 category references R, u32 text bytes T
/// items      N × 12:   u32 text offset, u16 id bytes, u16 title bytes + 1 (0 = no title), u32 category set
/// categories C × 8:    u32 text offset, u32 bytes
/// sets       (S + 1) × u32: where each set's references start (0 first, R last, never decreasing)
/// references R × u32:  category numbers
/// text       T bytes:  UTF-8; an item's title follows its id
/// </code>
/// Items share category names and whole category sets (a catalogue has few of each), so an item costs 12 bytes
/// plus its id and title. Nothing else may follow: the file's length is exactly what the header implies.
/// </summary>
internal static class ItemListFormat
{
    public static ReadOnlySpan<byte> Magic => "ODRITEMS"u8;
    public const int Version = 1;
    public const int HeaderBytes = 32;
    public const int ItemBytes = 12;
    public const int CategoryBytes = 8;

    /// <summary>Longest id or title the u16 length fields can describe (a title's field holds its length + 1).</summary>
    public const int MaxTextBytes = ushort.MaxValue - 1;
}
