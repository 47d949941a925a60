using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_upsert_item: the app's catalogue metadata (an item's categories).</summary>
internal static unsafe class CatalogueExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_upsert_item")]
    public static int OdrUpsertItem(nint handle, byte* itemId, byte** categories, int categoryCount) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (categoryCount < 0 || categoryCount > InputLimits.MaxCategories || (categoryCount > 0 && categories is null))
            {
                throw new ArgumentException($"category_count must be 0–{InputLimits.MaxCategories} and categories non-NULL when it is not 0.");
            }
            var names = new string[categoryCount];
            for (int i = 0; i < categoryCount; i++)
            {
                names[i] = Utf8Strings.Read(categories[i], $"categories[{i}]", InputLimits.MaxContextKeyBytes);
            }
            box.Client.UpsertItems([new ItemMetadata(Utf8Strings.Read(itemId, "item_id", InputLimits.MaxIdBytes), names)]);
            return ResultCode.Ok;
        });
}
