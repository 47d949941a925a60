using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using N = OnDeviceReco.Protocol.ManifestJsonNames;

namespace OnDeviceReco.Protocol;

/// <summary>
/// Writes a manifest as compact UTF-8 JSON without a BOM. Property order is fixed and dictionaries are
/// written in ordinal key order, so one manifest always gives the same bytes. Small scalars come first so a
/// human (or a truncated log) sees the version and key without scrolling past millions of items.
/// </summary>
internal static class ManifestJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        // The manifest is never embedded in HTML, so non-ASCII titles stay readable UTF-8 instead of \uXXXX.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static byte[] Write(BundleManifest m)
    {
        var buffer = new ArrayBufferWriter<byte>(4096 + m.Items.Count * 32);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteNumber(N.FormatVersion, m.FormatVersion);
            w.WriteNumber(N.ModelVersion, m.ModelVersion);
            w.WriteString(N.CreatedAt, m.CreatedAt);
            w.WriteString(N.Architecture, m.Architecture);
            w.WriteNumber(N.MaxSequenceLength, m.MaxSequenceLength);
            w.WriteNumber(N.EmbeddingDimension, m.EmbeddingDimension);
            w.WriteString(N.KeyId, m.KeyId);

            w.WriteStartObject(N.Files);
            foreach (var (name, hash) in m.Files.OrderBy(f => f.Key, StringComparer.Ordinal)) w.WriteString(name, hash);
            w.WriteEndObject();

            if (m.Metrics is not null)
            {
                w.WriteStartObject(N.Metrics);
                foreach (var (name, value) in m.Metrics.OrderBy(x => x.Key, StringComparer.Ordinal)) w.WriteNumber(name, value);
                w.WriteEndObject();
            }

            if (m.CatalogueUpdate is { } update)
            {
                w.WriteStartObject(N.CatalogueUpdate);
                w.WriteNumber(N.BaseVersion, update.BaseVersion);
                w.WriteNumber(N.AddedItems, update.AddedItems);
                w.WriteEndObject();
            }

            w.WriteStartArray(N.Popularity);
            foreach (string id in m.Popularity) w.WriteStringValue(id);
            w.WriteEndArray();

            if (m.Onboarding is not null)
            {
                w.WriteStartArray(N.Onboarding);
                foreach (string id in m.Onboarding) w.WriteStringValue(id);
                w.WriteEndArray();
            }

            if (m.FormatVersion != BundleManifest.ItemListFormatVersion)
            {
                w.WriteStartArray(N.Items);
                foreach (BundleItem item in m.Items) WriteItem(w, item);
                w.WriteEndArray();
            }

            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteItem(Utf8JsonWriter w, BundleItem item)
    {
        // Absent title and empty categories are omitted: with millions of items every byte counts.
        w.WriteStartObject();
        w.WriteString(N.ItemId, item.Id);
        if (item.Title is not null) w.WriteString(N.ItemTitle, item.Title);
        if (item.Categories.Length > 0)
        {
            w.WriteStartArray(N.ItemCategories);
            foreach (string category in item.Categories) w.WriteStringValue(category);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
