namespace OnDeviceReco.Protocol;

/// <summary>
/// What one item of a bundle must be for a device to accept it: the manifest reader and signer apply it to every item,
/// and the server applies it to a catalogue row before the row can reach a bundle.
/// </summary>
public static class BundleItemRules
{
    /// <summary>The first problem with <paramref name="item"/> under <paramref name="limits"/> (default limits when null), or null.</summary>
    public static string? Check(BundleItem item, BundleLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        limits ??= BundleLimits.Default;
        if (!StrictText.IsValidToken(item.Id, limits.MaxIdBytes)) return $"id is empty, longer than {limits.MaxIdBytes} UTF-8 bytes or not plain text";
        if (item.Title is not null && !StrictText.FitsIn(item.Title, limits.MaxTitleBytes))
            return $"title is longer than {limits.MaxTitleBytes} UTF-8 bytes or not valid text";
        if (item.Categories is null) return "categories is null";
        if (item.Categories.Length > limits.MaxCategoriesPerItem) return $"more than {limits.MaxCategoriesPerItem} categories";
        foreach (string category in item.Categories)
        {
            if (!StrictText.IsValidToken(category, limits.MaxIdBytes)) return $"a category is empty, longer than {limits.MaxIdBytes} UTF-8 bytes or not plain text";
        }
        return null;
    }

    /// <summary>True when <paramref name="text"/> is valid UTF-16 (no unpaired surrogate) of at most <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    public static bool FitsIn(string text, int maxBytes) => StrictText.FitsIn(text, maxBytes);
}
