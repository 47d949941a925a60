namespace OnDeviceReco.Protocol;

/// <summary>The manifest's JSON property names, shared by writer and reader so they cannot drift apart.</summary>
internal static class ManifestJsonNames
{
    public static ReadOnlySpan<byte> FormatVersion => "formatVersion"u8;
    public static ReadOnlySpan<byte> ModelVersion => "modelVersion"u8;
    public static ReadOnlySpan<byte> CreatedAt => "createdAt"u8;
    public static ReadOnlySpan<byte> Architecture => "architecture"u8;
    public static ReadOnlySpan<byte> MaxSequenceLength => "maxSequenceLength"u8;
    public static ReadOnlySpan<byte> EmbeddingDimension => "embeddingDimension"u8;
    public static ReadOnlySpan<byte> KeyId => "keyId"u8;
    public static ReadOnlySpan<byte> Files => "files"u8;
    public static ReadOnlySpan<byte> Metrics => "metrics"u8;
    public static ReadOnlySpan<byte> Popularity => "popularity"u8;
    public static ReadOnlySpan<byte> Items => "items"u8;
    public static ReadOnlySpan<byte> Onboarding => "onboarding"u8;
    public static ReadOnlySpan<byte> CatalogueUpdate => "catalogueUpdate"u8;
    public static ReadOnlySpan<byte> BaseVersion => "baseVersion"u8;
    public static ReadOnlySpan<byte> AddedItems => "addedItems"u8;
    public static ReadOnlySpan<byte> ItemId => "id"u8;
    public static ReadOnlySpan<byte> ItemTitle => "title"u8;
    public static ReadOnlySpan<byte> ItemCategories => "categories"u8;
}
