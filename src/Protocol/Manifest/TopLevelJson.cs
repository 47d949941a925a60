using System.Text.Json;

namespace OnDeviceReco.Protocol;

/// <summary>
/// Finds one top-level property of a JSON object without interpreting the others. Used to read the format
/// version before anything else (so a future layout is reported as unsupported, not malformed) and to name
/// the claimed signing key when no trusted key verifies.
/// </summary>
internal static class TopLevelJson
{
    /// <summary>Reader options shared by every manifest read: strict JSON, shallow nesting.</summary>
    public static readonly JsonReaderOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 16,
    };

    /// <summary>
    /// Leaves <paramref name="reader"/> on the value of the first top-level property called <paramref name="name"/>.
    /// False when the root is not an object or has no such property; throws <see cref="JsonException"/> on bad JSON.
    /// </summary>
    public static bool TryFind(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool match = reader.ValueTextEquals(name);
            if (!reader.Read()) return false;
            if (match) return true;
            reader.Skip();
        }
        return false;
    }

    /// <summary>
    /// The <c>keyId</c> an unverified manifest claims, or null when it has no well-formed one. Only ever used to
    /// word an error message: accepting a bundle never depends on bytes whose signature has not been checked.
    /// </summary>
    public static string? PeekKeyId(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            if (!TryFind(ref reader, ManifestJsonNames.KeyId) || reader.TokenType != JsonTokenType.String) return null;
            if (reader.ValueIsEscaped || reader.ValueSpan.Length != BundleKeyId.Length) return null;
            string keyId = reader.GetString()!;
            return StrictText.IsLowerHex(keyId, BundleKeyId.Length) ? keyId : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
