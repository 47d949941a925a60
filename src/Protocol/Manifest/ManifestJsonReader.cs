using System.Text.Json;
using N = OnDeviceReco.Protocol.ManifestJsonNames;

namespace OnDeviceReco.Protocol;

/// <summary>
/// Parses manifest JSON by hand with caps checked before each allocation, so hostile input costs at most a
/// small multiple of its (capped) size. Unknown properties are skipped: version 1 readers accept additive
/// fields, and anything that changes meaning must bump <see cref="BundleManifest.FormatVersion"/>.
/// </summary>
internal static class ManifestJsonReader
{
    public static BundleManifest Read(ReadOnlySpan<byte> json, BundleLimits limits)
    {
        if (json.Length > limits.MaxManifestBytes)
        {
            throw new BundleVerificationException(BundleRejectReason.FileTooLarge, BundleFileNames.Manifest,
                $"{BundleFileNames.Manifest} is {json.Length} bytes; the limit is {limits.MaxManifestBytes}.");
        }
        BundleManifest manifest;
        try
        {
            int version = ReadFormatVersion(json);
            if (!ManifestRules.IsKnownVersion(version))
            {
                throw new BundleVerificationException(BundleRejectReason.UnsupportedFormat, BundleFileNames.Manifest,
                    $"{BundleFileNames.Manifest} has formatVersion {version}; this library reads {BundleManifest.CurrentFormatVersion} and {BundleManifest.ItemListFormatVersion}.");
            }
            manifest = Parse(json, limits, version);
        }
        catch (JsonException e)
        {
            throw Malformed($"is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader throws this for invalid UTF-8 or escaped lone surrogates inside a string.
            throw Malformed($"holds invalid text: {e.Message}", e);
        }
        if (ManifestRules.Check(manifest, limits) is { } problem) throw Malformed(problem);
        return manifest;
    }

    private static int ReadFormatVersion(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, TopLevelJson.Options);
        if (!TopLevelJson.TryFind(ref reader, N.FormatVersion)) throw Malformed("is not a JSON object with a formatVersion");
        return ReadInt32(ref reader, "formatVersion");
    }

    private static BundleManifest Parse(ReadOnlySpan<byte> json, BundleLimits limits, int version)
    {
        var reader = new Utf8JsonReader(json, TopLevelJson.Options);
        Advance(ref reader, JsonTokenType.StartObject, "the manifest");
        int seen = 0;
        long? modelVersion = null;
        DateTimeOffset? createdAt = null;
        string? architecture = null, keyId = null;
        int? maxSequenceLength = null, embeddingDimension = null;
        Dictionary<string, string>? files = null;
        Dictionary<string, double>? metrics = null;
        List<string>? popularity = null, onboarding = null;
        List<BundleItem>? items = null;
        CatalogueUpdate? catalogueUpdate = null;

        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, N.FormatVersion, ref seen, 0)) ReadInt32(ref reader, "formatVersion");
            else if (Is(ref reader, N.ModelVersion, ref seen, 1)) modelVersion = ReadInt64(ref reader, "modelVersion");
            else if (Is(ref reader, N.CreatedAt, ref seen, 2)) createdAt = ReadDate(ref reader, "createdAt");
            else if (Is(ref reader, N.Architecture, ref seen, 3)) architecture = ReadString(ref reader, limits.MaxIdBytes, "architecture");
            else if (Is(ref reader, N.MaxSequenceLength, ref seen, 4)) maxSequenceLength = ReadInt32(ref reader, "maxSequenceLength");
            else if (Is(ref reader, N.EmbeddingDimension, ref seen, 5)) embeddingDimension = ReadInt32(ref reader, "embeddingDimension");
            else if (Is(ref reader, N.KeyId, ref seen, 6)) keyId = ReadString(ref reader, BundleKeyId.Length, "keyId");
            else if (Is(ref reader, N.Files, ref seen, 7)) files = ReadFiles(ref reader, limits);
            else if (Is(ref reader, N.Metrics, ref seen, 8)) metrics = ReadMetrics(ref reader, limits);
            else if (Is(ref reader, N.Popularity, ref seen, 9)) popularity = ReadIds(ref reader, limits, "popularity");
            else if (Is(ref reader, N.Onboarding, ref seen, 11)) onboarding = ReadIds(ref reader, limits, "onboarding");
            else if (Is(ref reader, N.Items, ref seen, 10)) items = ManifestItemsReader.Read(ref reader, limits);
            else if (Is(ref reader, N.CatalogueUpdate, ref seen, 12)) catalogueUpdate = ReadCatalogueUpdate(ref reader);
            else reader.Skip();
        }
        if (reader.Read()) throw Malformed("has data after the manifest object");
        bool itemsInFile = version == BundleManifest.ItemListFormatVersion;
        // Two item lists would let two readers of the same signed bundle disagree on the vocabulary.
        if (itemsInFile && items is not null) throw Malformed($"has 'items' although formatVersion {version} keeps them in {BundleFileNames.ItemList}");

        return new BundleManifest
        {
            FormatVersion = version,
            ModelVersion = modelVersion ?? throw MissingProperty("modelVersion"),
            CreatedAt = createdAt ?? throw MissingProperty("createdAt"),
            Architecture = architecture ?? throw MissingProperty("architecture"),
            MaxSequenceLength = maxSequenceLength ?? throw MissingProperty("maxSequenceLength"),
            EmbeddingDimension = embeddingDimension ?? throw MissingProperty("embeddingDimension"),
            KeyId = keyId ?? throw MissingProperty("keyId"),
            Files = (files ?? throw MissingProperty("files")).AsReadOnly(),
            Metrics = metrics?.AsReadOnly(),
            Popularity = (popularity ?? throw MissingProperty("popularity")).AsReadOnly(),
            Onboarding = onboarding?.AsReadOnly(),
            Items = itemsInFile ? [] : (items ?? throw MissingProperty("items")).AsReadOnly(),
            CatalogueUpdate = catalogueUpdate,
        };
    }

    private static CatalogueUpdate ReadCatalogueUpdate(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "catalogueUpdate");
        int seen = 0;
        long? baseVersion = null;
        int? added = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (Is(ref reader, N.BaseVersion, ref seen, 0)) baseVersion = ReadInt64(ref reader, "catalogueUpdate.baseVersion");
            else if (Is(ref reader, N.AddedItems, ref seen, 1)) added = ReadInt32(ref reader, "catalogueUpdate.addedItems");
            else reader.Skip();
        }
        return new CatalogueUpdate(baseVersion ?? throw MissingProperty("catalogueUpdate.baseVersion"),
            added ?? throw MissingProperty("catalogueUpdate.addedItems"));
    }

    /// <summary>True when the reader is on property <paramref name="name"/>; then moves to its value, refusing a repeat.</summary>
    internal static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, ref int seen, int bit)
    {
        if (!reader.ValueTextEquals(name)) return false;
        // A repeated property would let two readers of the same signed bytes disagree on its value.
        if ((seen & (1 << bit)) != 0) throw Malformed($"repeats property '{reader.GetString()}'");
        seen |= 1 << bit;
        reader.Read();
        return true;
    }

    private static Dictionary<string, string> ReadFiles(ref Utf8JsonReader reader, BundleLimits limits)
    {
        Expect(ref reader, JsonTokenType.StartObject, "files");
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (files.Count == limits.MaxFiles) throw Malformed($"lists more than {limits.MaxFiles} files");
            string name = ReadString(ref reader, BundleFileNames.MaxLength, "a file name");
            Next(ref reader);
            string hash = ReadString(ref reader, ManifestRules.HashHexLength, $"the hash of '{name}'");
            if (!files.TryAdd(name, hash)) throw Malformed($"lists '{name}' twice");
        }
        return files;
    }

    private static Dictionary<string, double>? ReadMetrics(ref Utf8JsonReader reader, BundleLimits limits)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        Expect(ref reader, JsonTokenType.StartObject, "metrics");
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (metrics.Count == limits.MaxMetrics) throw Malformed($"has more than {limits.MaxMetrics} metrics");
            string name = ReadString(ref reader, limits.MaxIdBytes, "a metric name");
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double value))
                throw Malformed($"metric '{name}' is not a number");
            if (!metrics.TryAdd(name, value)) throw Malformed($"has metric '{name}' twice");
        }
        return metrics;
    }

    private static List<string> ReadIds(ref Utf8JsonReader reader, BundleLimits limits, string name)
    {
        Expect(ref reader, JsonTokenType.StartArray, name);
        var ids = new List<string>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (ids.Count == limits.MaxItems) throw Malformed($"{name} has more than {limits.MaxItems} entries");
            ids.Add(ReadString(ref reader, limits.MaxIdBytes, $"a {name} id"));
        }
        return ids;
    }

    /// <summary>
    /// Reads a string token (or property name) of at most <paramref name="maxBytes"/> UTF-8 bytes, refusing
    /// an oversized one before it is turned into a string.
    /// </summary>
    internal static string ReadString(ref Utf8JsonReader reader, int maxBytes, string what)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) throw Malformed($"{what} is not a string");
        // The input is one span, so ValueSpan is the whole raw token. Escapes only lengthen text, at most six
        // raw bytes per decoded byte (\u00XX), so the raw length bounds the decoded one from both sides.
        int raw = reader.ValueSpan.Length;
        if (raw > maxBytes && (!reader.ValueIsEscaped || raw > 6L * maxBytes)) throw TooLong(what, maxBytes);
        string text = reader.GetString()!;
        if (!StrictText.FitsIn(text, maxBytes)) throw TooLong(what, maxBytes);
        return text;
    }

    private static int ReadInt32(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : throw Malformed($"{what} is not a 32-bit integer");

    private static long ReadInt64(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) ? value : throw Malformed($"{what} is not a 64-bit integer");

    private static DateTimeOffset ReadDate(ref Utf8JsonReader reader, string what) =>
        reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out DateTimeOffset value) ? value : throw Malformed($"{what} is not an ISO 8601 date");

    /// <summary>Moves to the next token; the input is complete, so running out means it was cut short.</summary>
    internal static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw Malformed("ends early");

    internal static void Advance(ref Utf8JsonReader reader, JsonTokenType expected, string what)
    {
        Next(ref reader);
        Expect(ref reader, expected, what);
    }

    internal static void Expect(ref Utf8JsonReader reader, JsonTokenType expected, string what)
    {
        if (reader.TokenType != expected) throw Malformed($"{what} is {reader.TokenType}, expected {expected}");
    }

    private static BundleVerificationException MissingProperty(string name) => Malformed($"has no '{name}'");

    private static BundleVerificationException TooLong(string what, int maxBytes) => Malformed($"{what} is longer than {maxBytes} UTF-8 bytes");

    internal static BundleVerificationException Malformed(string problem, Exception? inner = null) =>
        new(BundleRejectReason.ManifestMalformed, BundleFileNames.Manifest, $"{BundleFileNames.Manifest} {problem.TrimEnd('.')}.", inner);
}
