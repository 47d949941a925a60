using System.Buffers.Binary;
using System.Collections;
using System.Text;
using System.Text.Unicode;

namespace OnDeviceReco.Protocol;

/// <summary>
/// A bundle's item list read in place from the verified bytes of <c>items.bin</c> (<see cref="ItemListFormat"/>):
/// ids, titles and categories stay UTF-8 in that one array; what is built at load is an open-addressing index of
/// positions by id (4–8 bytes per item, no strings) and one array per distinct category set. An id becomes a
/// string the first time it is asked for and is kept. Every offset, length and text is checked at load, so a
/// malformed file is refused before anything reads it. Thread-safe for reading.
/// </summary>
public sealed class ItemList : IReadOnlyList<BundleItem>
{
    private readonly byte[] _bytes;
    private readonly int _textStart;
    private readonly string[][] _sets;
    private readonly string?[] _ids;
    private readonly int[] _slots; // position + 1 by hash of the id's bytes; 0 = empty
    private readonly ulong _seed;
    private int _maxIdBytes; // set once at load, after every record was checked

    private ItemList(byte[] bytes, int count, int textStart, string[][] sets)
    {
        _bytes = bytes;
        Count = count;
        _textStart = textStart;
        _sets = sets;
        _ids = new string?[count];
        // At most half full, so a lookup probes about 1.5 slots; random per list so no id set can be built to collide.
        _slots = new int[Math.Max(4, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count * 2))];
        _seed = (ulong)Random.Shared.NextInt64();
    }

    /// <summary>Items in the list.</summary>
    public int Count { get; }

    /// <summary>Bytes held: the verified file (the index and the strings made so far come on top).</summary>
    public long SizeInBytes => _bytes.LongLength;

    /// <summary>Item <paramref name="position"/> as a record (a new object per call: prefer <see cref="Id"/>, <see cref="Title"/>, <see cref="Categories"/>).</summary>
    public BundleItem this[int position] => new(Id(position), Title(position), Categories(position));

    /// <summary>The id of item <paramref name="position"/> (0-based), made a string once and kept.</summary>
    public string Id(int position) => _ids[position] ??= Encoding.UTF8.GetString(IdBytes(position));

    /// <summary>The title of item <paramref name="position"/>, or null when it has none.</summary>
    public string? Title(int position)
    {
        var (offset, idBytes, titleField, _) = Record(position);
        return titleField == 0 ? null : Encoding.UTF8.GetString(_bytes, _textStart + offset + idBytes, titleField - 1);
    }

    /// <summary>The categories of item <paramref name="position"/>: an array shared by every item with the same set; do not modify it.</summary>
    public string[] Categories(int position) => _sets[Record(position).Set];

    /// <summary>True when the list has an item with id <paramref name="id"/> (ordinal, as UTF-8), with its position.</summary>
    public bool TryGetPosition(string id, out int position)
    {
        ArgumentNullException.ThrowIfNull(id);
        position = -1;
        // Each char is at least one UTF-8 byte, so a longer id cannot be in the list.
        if (id.Length == 0 || id.Length > _maxIdBytes)
        {
            return false;
        }
        Span<byte> utf8 = 3 * id.Length <= 1024 ? stackalloc byte[1024] : new byte[3 * id.Length];
        // Invalid UTF-16 (a lone surrogate) has no UTF-8 form, so it is no item's id.
        if (Utf8.FromUtf16(id, utf8, out _, out int written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }
        position = Find(utf8[..written]);
        return position >= 0;
    }

    /// <summary>True when the list has an item with id <paramref name="id"/>.</summary>
    public bool Contains(string id) => TryGetPosition(id, out _);

    /// <summary>Every item in order, each a new record.</summary>
    public IEnumerator<BundleItem> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The binary form of <paramref name="items"/> (which the manifest rules accepted).</summary>
    /// <exception cref="ArgumentException">When an id or title is too long for the format, or the list too large.</exception>
    public static byte[] Encode(IReadOnlyList<BundleItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return ItemListEncoder.Encode(items);
    }

    /// <summary>
    /// Checks verified <c>items.bin</c> bytes completely — structure, lengths against <paramref name="limits"/>, text,
    /// unique ids — and wraps them (not copied).
    /// </summary>
    /// <exception cref="InvalidDataException">With the first problem found.</exception>
    public static ItemList Read(byte[] bytes, BundleLimits limits)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(limits);
        var span = bytes.AsSpan();
        if (span.Length < ItemListFormat.HeaderBytes || !span.StartsWith(ItemListFormat.Magic))
        {
            throw Malformed("does not start with an item list header");
        }
        uint version = U32(span, 8), items = U32(span, 12), categories = U32(span, 16), sets = U32(span, 20), references = U32(span, 24), text = U32(span, 28);
        if (version != ItemListFormat.Version) throw Malformed($"has layout version {version}; this library reads {ItemListFormat.Version}");
        if (items == 0) throw Malformed("holds no items");
        if (items > limits.MaxItems) throw Malformed($"holds {items} items; the limit is {limits.MaxItems}");
        if (sets == 0) throw Malformed("holds no category sets");
        long itemsAt = ItemListFormat.HeaderBytes;
        long categoriesAt = itemsAt + (long)items * ItemListFormat.ItemBytes;
        long setsAt = categoriesAt + (long)categories * ItemListFormat.CategoryBytes;
        long referencesAt = setsAt + ((long)sets + 1) * 4;
        long textAt = referencesAt + (long)references * 4;
        if (textAt + text != span.Length) throw Malformed($"is {span.Length} bytes but its header describes {textAt + text}");
        var textBytes = span[(int)textAt..];

        var names = new string[categories];
        for (int c = 0; c < names.Length; c++)
        {
            uint offset = U32(span, (int)(categoriesAt + c * (long)ItemListFormat.CategoryBytes)), length = U32(span, (int)(categoriesAt + c * (long)ItemListFormat.CategoryBytes + 4));
            if (offset > text || length > text - offset || !IsToken(textBytes.Slice((int)offset, (int)length), limits.MaxIdBytes))
                throw Malformed($"category {c} is outside the text, empty, longer than {limits.MaxIdBytes} UTF-8 bytes or not plain text");
            names[c] = Encoding.UTF8.GetString(textBytes.Slice((int)offset, (int)length));
        }
        var categorySets = new string[sets][];
        for (int s = 0; s < categorySets.Length; s++)
        {
            uint start = U32(span, (int)(setsAt + 4L * s)), end = U32(span, (int)(setsAt + 4L * (s + 1)));
            if ((s == 0 && start != 0) || end < start || end > references || (s == categorySets.Length - 1 && end != references))
                throw Malformed($"category set {s} does not fit the references");
            if (end - start > limits.MaxCategoriesPerItem) throw Malformed($"category set {s} has more than {limits.MaxCategoriesPerItem} categories");
            var set = new string[end - start];
            for (int r = 0; r < set.Length; r++)
            {
                uint number = U32(span, (int)(referencesAt + 4L * (start + r)));
                set[r] = number < names.Length ? names[number] : throw Malformed($"category set {s} names category {number} of {names.Length}");
            }
            categorySets[s] = set;
        }

        var list = new ItemList(bytes, (int)items, (int)textAt, categorySets);
        for (int i = 0; i < list.Count; i++)
        {
            var (offset, idBytes, titleField, set) = list.RecordUnchecked(i);
            int titleBytes = Math.Max(0, titleField - 1);
            if ((uint)offset > text || (long)idBytes + titleBytes > text - (uint)offset)
                throw Malformed($"item {i}: its text is outside the file");
            if (!IsToken(textBytes.Slice(offset, idBytes), limits.MaxIdBytes))
                throw Malformed($"item {i}: id is empty, longer than {limits.MaxIdBytes} UTF-8 bytes or not plain text");
            if (titleBytes > limits.MaxTitleBytes || !Utf8.IsValid(textBytes.Slice(offset + idBytes, titleBytes)))
                throw Malformed($"item {i}: title is longer than {limits.MaxTitleBytes} UTF-8 bytes or not valid text");
            if ((uint)set >= sets) throw Malformed($"item {i}: category set {set} of {sets}");
            list._maxIdBytes = Math.Max(list._maxIdBytes, idBytes);
        }
        for (int i = 0; i < list.Count; i++)
        {
            if (!list.TryAdd(i)) throw Malformed($"item {i}: id '{BundleFileNames.Shorten(list.Id(i))}' appears twice");
        }
        return list;
    }

    /// <summary>
    /// <paramref name="items"/> itself when it is an <see cref="ItemList"/>, else the list encoded and read back: a device
    /// serves a format 1 manifest's JSON items the same way. The items must have passed the manifest rules.
    /// </summary>
    public static ItemList From(IReadOnlyList<BundleItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items as ItemList ?? Read(ItemListEncoder.Encode(items), Unlimited);
    }

    private static readonly BundleLimits Unlimited = new()
    {
        MaxItems = int.MaxValue,
        MaxIdBytes = ItemListFormat.MaxTextBytes,
        MaxTitleBytes = ItemListFormat.MaxTextBytes,
        MaxCategoriesPerItem = int.MaxValue,
    };

    private ReadOnlySpan<byte> IdBytes(int position)
    {
        var (offset, idBytes, _, _) = Record(position);
        return _bytes.AsSpan(_textStart + offset, idBytes);
    }

    private (int Offset, int IdBytes, int TitleField, int Set) Record(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, Count);
        return RecordUnchecked(position);
    }

    private (int Offset, int IdBytes, int TitleField, int Set) RecordUnchecked(int position)
    {
        var record = _bytes.AsSpan(ItemListFormat.HeaderBytes + position * ItemListFormat.ItemBytes, ItemListFormat.ItemBytes);
        return ((int)BinaryPrimitives.ReadUInt32LittleEndian(record), BinaryPrimitives.ReadUInt16LittleEndian(record[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(record[6..]), (int)BinaryPrimitives.ReadUInt32LittleEndian(record[8..]));
    }

    /// <summary>Inserts item <paramref name="position"/> into the index; false when its id is already there.</summary>
    private bool TryAdd(int position)
    {
        var id = IdBytes(position);
        int mask = _slots.Length - 1;
        for (int slot = (int)Hash(id) & mask; ; slot = (slot + 1) & mask)
        {
            int taken = _slots[slot];
            if (taken == 0)
            {
                _slots[slot] = position + 1;
                return true;
            }
            if (IdBytes(taken - 1).SequenceEqual(id))
            {
                return false;
            }
        }
    }

    private int Find(ReadOnlySpan<byte> id)
    {
        int mask = _slots.Length - 1;
        for (int slot = (int)Hash(id) & mask; ; slot = (slot + 1) & mask)
        {
            int taken = _slots[slot];
            if (taken == 0)
            {
                return -1;
            }
            if (IdBytes(taken - 1).SequenceEqual(id))
            {
                return taken - 1;
            }
        }
    }

    /// <summary>A seeded 64-bit multiply-mix hash of the bytes, eight at a time.</summary>
    private ulong Hash(ReadOnlySpan<byte> bytes)
    {
        ulong h = _seed ^ (ulong)bytes.Length * 0x9E3779B97F4A7C15;
        while (bytes.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0xFF51AFD7ED558CCD;
            h ^= h >> 32;
            bytes = bytes[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            tail |= (ulong)bytes[i] << (8 * i);
        }
        h = (h ^ tail) * 0xC4CEB9FE1A85EC53;
        h ^= h >> 29;
        h *= 0x9E3779B97F4A7C15;
        return h ^ h >> 32;
    }

    /// <summary>Non-empty valid UTF-8 of at most <paramref name="maxBytes"/> bytes without control characters (C0, DEL, C1), as <see cref="StrictText.IsValidToken"/>.</summary>
    private static bool IsToken(ReadOnlySpan<byte> text, int maxBytes)
    {
        if (text.IsEmpty || text.Length > maxBytes || !Utf8.IsValid(text) || text.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || text.Contains((byte)0x7F))
        {
            return false;
        }
        // C1 controls U+0080…U+009F are C2 80…C2 9F in UTF-8.
        for (int from = 0, at; (at = text[from..].IndexOf((byte)0xC2)) >= 0; from += at + 1)
        {
            if (from + at + 1 < text.Length && text[from + at + 1] <= 0x9F)
            {
                return false;
            }
        }
        return true;
    }

    private static uint U32(ReadOnlySpan<byte> span, int at) => BinaryPrimitives.ReadUInt32LittleEndian(span[at..]);

    private static InvalidDataException Malformed(string problem) => new($"{BundleFileNames.ItemList} {problem}.");
}
