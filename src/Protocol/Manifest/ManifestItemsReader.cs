using System.Text.Json;
using N = OnDeviceReco.Protocol.ManifestJsonNames;
using R = OnDeviceReco.Protocol.ManifestJsonReader;

namespace OnDeviceReco.Protocol;

/// <summary>Reads the manifest's item list, the one part that can hold millions of entries.</summary>
internal static class ManifestItemsReader
{
    public static List<BundleItem> Read(ref Utf8JsonReader reader, BundleLimits limits)
    {
        R.Expect(ref reader, JsonTokenType.StartArray, "items");
        var items = new List<BundleItem>();
        // Categories repeat across items (a catalogue has few), so each distinct one is kept once.
        var categoryPool = new Dictionary<string, string>(StringComparer.Ordinal);
        while (R.Next(ref reader) != JsonTokenType.EndArray)
        {
            if (items.Count == limits.MaxItems) throw R.Malformed($"has more than {limits.MaxItems} items");
            items.Add(ReadItem(ref reader, limits, categoryPool, items.Count));
        }
        return items;
    }

    private static BundleItem ReadItem(ref Utf8JsonReader reader, BundleLimits limits, Dictionary<string, string> pool, int position)
    {
        string what = $"item {position}";
        R.Expect(ref reader, JsonTokenType.StartObject, what);
        int seen = 0;
        string? id = null, title = null;
        string[] categories = [];
        while (R.Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (R.Is(ref reader, N.ItemId, ref seen, 0)) id = R.ReadString(ref reader, limits.MaxIdBytes, $"{what} id");
            else if (R.Is(ref reader, N.ItemTitle, ref seen, 1))
                title = reader.TokenType == JsonTokenType.Null ? null : R.ReadString(ref reader, limits.MaxTitleBytes, $"{what} title");
            else if (R.Is(ref reader, N.ItemCategories, ref seen, 2)) categories = ReadCategories(ref reader, limits, pool, what);
            else reader.Skip();
        }
        return new BundleItem(id ?? throw R.Malformed($"{what} has no id"), title, categories);
    }

    private static string[] ReadCategories(ref Utf8JsonReader reader, BundleLimits limits, Dictionary<string, string> pool, string what)
    {
        R.Expect(ref reader, JsonTokenType.StartArray, $"{what} categories");
        List<string>? categories = null;
        while (R.Next(ref reader) != JsonTokenType.EndArray)
        {
            categories ??= new List<string>(4);
            if (categories.Count == limits.MaxCategoriesPerItem) throw R.Malformed($"{what} has more than {limits.MaxCategoriesPerItem} categories");
            string category = R.ReadString(ref reader, limits.MaxIdBytes, $"{what} category");
            if (!pool.TryGetValue(category, out string? shared)) pool.Add(category, shared = category);
            categories.Add(shared);
        }
        return categories is null ? [] : categories.ToArray();
    }
}
