using System.Text.Json;

namespace OnDeviceReco;

/// <summary>
/// Stores a small string map (event context, item attributes) as a JSON object. Written and read by hand
/// with Utf8JsonWriter/Utf8JsonReader, so it needs no reflection and stays AOT-safe.
/// </summary>
internal static class TextMap
{
    public static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    public static string? Serialize(IReadOnlyDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return null;
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in map)
            {
                writer.WriteString(key, value);
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static IReadOnlyDictionary<string, string> Deserialize(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return Empty;
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        string? key = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    key = reader.GetString();
                    break;
                case JsonTokenType.String when key is not null:
                    map[key] = reader.GetString() ?? string.Empty;
                    key = null;
                    break;
            }
        }
        return map;
    }
}
