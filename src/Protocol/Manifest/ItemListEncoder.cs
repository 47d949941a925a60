using System.Buffers.Binary;
using System.Text;

namespace OnDeviceReco.Protocol;

/// <summary>Writes <c>items.bin</c> (<see cref="ItemListFormat"/>) from an item list the manifest rules accepted.</summary>
internal static class ItemListEncoder
{
    public static byte[] Encode(IReadOnlyList<BundleItem> items)
    {
        var text = new List<byte>(items.Count * 16);
        var categoryNumbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var categoryText = new List<(int Offset, int Length)>();
        var setNumbers = new Dictionary<string, int>(StringComparer.Ordinal) { [""] = 0 }; // set 0: no categories
        var setStarts = new List<int> { 0 }; // where each set's references start; the end is appended last
        var references = new List<int>();
        var records = new (int Offset, int IdBytes, int TitleField, int Set)[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw new ArgumentException($"Item {i} is null.", nameof(items));
            int offset = text.Count;
            int idBytes = Append(text, item.Id, $"item {i}: id");
            int titleField = item.Title is null ? 0 : Append(text, item.Title, $"item {i}: title") + 1;
            records[i] = (offset, idBytes, titleField, SetOf(item.Categories ?? throw new ArgumentException($"Item {i} has null categories.", nameof(items))));
        }
        setStarts.Add(references.Count);

        long length = ItemListFormat.HeaderBytes + (long)ItemListFormat.ItemBytes * items.Count + (long)ItemListFormat.CategoryBytes * categoryText.Count
            + 4L * setStarts.Count + 4L * references.Count + text.Count;
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"An item list of {items.Count} items needs {length} bytes; that does not fit one file.", nameof(items));
        }
        var bytes = new byte[length];
        var span = bytes.AsSpan();
        ItemListFormat.Magic.CopyTo(span);
        int at = ItemListFormat.Magic.Length;
        foreach (int value in new[] { ItemListFormat.Version, items.Count, categoryText.Count, setStarts.Count - 1, references.Count, text.Count })
        {
            at = Write32(span, at, value);
        }
        foreach (var (offset, idBytes, titleField, set) in records)
        {
            at = Write32(span, at, offset);
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)idBytes);
            BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], (ushort)titleField);
            at = Write32(span, at + 4, set);
        }
        foreach (var (offset, bytesOfName) in categoryText)
        {
            at = Write32(span, Write32(span, at, offset), bytesOfName);
        }
        foreach (int start in setStarts)
        {
            at = Write32(span, at, start);
        }
        foreach (int reference in references)
        {
            at = Write32(span, at, reference);
        }
        text.CopyTo(bytes, at);
        return bytes;

        int SetOf(string[] categories)
        {
            string key = string.Join('\0', categories);
            if (!setNumbers.TryGetValue(key, out int set))
            {
                set = setNumbers[key] = setStarts.Count;
                setStarts.Add(references.Count);
                foreach (string category in categories)
                {
                    if (!categoryNumbers.TryGetValue(category, out int number))
                    {
                        number = categoryNumbers[category] = categoryText.Count;
                        int offset = text.Count;
                        categoryText.Add((offset, Append(text, category, "a category")));
                    }
                    references.Add(number);
                }
            }
            return set;
        }
    }

    private static int Append(List<byte> text, string value, string what)
    {
        if (value is null) throw new ArgumentException($"{what} is null.");
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        if (utf8.Length > ItemListFormat.MaxTextBytes)
        {
            throw new ArgumentException($"{what} is {utf8.Length} UTF-8 bytes; the item list holds at most {ItemListFormat.MaxTextBytes}.");
        }
        if ((long)text.Count + utf8.Length > int.MaxValue)
        {
            throw new ArgumentException("The item list's text does not fit 2 GiB.");
        }
        text.AddRange(utf8);
        return utf8.Length;
    }

    private static int Write32(Span<byte> span, int at, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], value);
        return at + 4;
    }
}
