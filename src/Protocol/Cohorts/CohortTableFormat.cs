using System.Buffers.Binary;
using System.Text;

namespace OnDeviceReco.Protocol.Cohorts;

/// <summary>
/// The bytes of <see cref="BundleFileNames.CohortPopularity"/>, little-endian: <c>"ODRC"</c>, u16 format version,
/// u32 cohort count; per cohort u16 label length, the UTF-8 label, u32 users, u16 item count, then per item u32
/// item index (1-based into the manifest's items) and f32 share. Items are named by index, so a table can only
/// name items of its own bundle. The reader bounds every count and length and refuses anything left over.
/// </summary>
public static class CohortTableFormat
{
    private static readonly byte[] Magic = "ODRC"u8.ToArray();
    private const ushort Version = 1;

    /// <summary>Most cohorts one table may hold.</summary>
    public const int MaxCohorts = 100_000;

    /// <summary>Most items one cohort may list.</summary>
    public const int MaxItemsPerCohort = 1_000;

    /// <summary>Longest label, in UTF-8 bytes.</summary>
    public const int MaxLabelBytes = 512;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes <paramref name="table"/> against the bundle's item ids (<paramref name="itemIds"/>, manifest order).</summary>
    /// <exception cref="ArgumentException">When a cohort names an item outside <paramref name="itemIds"/> or breaks a bound.</exception>
    public static byte[] Encode(CohortTable table, IReadOnlyList<string> itemIds)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(itemIds);
        var indexOf = new Dictionary<string, int>(itemIds.Count, StringComparer.Ordinal);
        for (int i = 0; i < itemIds.Count; i++)
        {
            indexOf[itemIds[i]] = i + 1;
        }
        if (table.Cohorts.Count > MaxCohorts)
        {
            throw new ArgumentException($"{table.Cohorts.Count} cohorts; at most {MaxCohorts}.", nameof(table));
        }
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true); // BinaryWriter is little-endian
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write((uint)table.Cohorts.Count);
        foreach (var cohort in table.Cohorts.Values.OrderBy(c => c.Label, StringComparer.Ordinal))
        {
            byte[] label = StrictUtf8.GetBytes(cohort.Label);
            if (label.Length is 0 or > MaxLabelBytes || cohort.Items.Count > MaxItemsPerCohort || cohort.Users < 1)
            {
                throw new ArgumentException($"Cohort '{cohort.Label}' breaks a bound (label 1–{MaxLabelBytes} bytes, ≤ {MaxItemsPerCohort} items, ≥ 1 user).", nameof(table));
            }
            writer.Write((ushort)label.Length);
            writer.Write(label);
            writer.Write((uint)cohort.Users);
            writer.Write((ushort)cohort.Items.Count);
            foreach (var (item, share) in cohort.Items)
            {
                if (!indexOf.TryGetValue(item, out int index) || !float.IsFinite(share) || share is < 0 or > 1)
                {
                    throw new ArgumentException($"Cohort '{cohort.Label}': item '{item}' is not in the bundle or its share {share} is outside 0–1.", nameof(table));
                }
                writer.Write((uint)index);
                writer.Write(share);
            }
        }
        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>Decodes verified bytes against the bundle's item ids.</summary>
    /// <exception cref="InvalidDataException">When the bytes are not a well-formed table for these items.</exception>
    public static CohortTable Decode(ReadOnlySpan<byte> bytes, IReadOnlyList<string> itemIds)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        var reader = new SpanReader(bytes);
        if (!reader.Take(4).SequenceEqual(Magic))
        {
            throw new InvalidDataException("Cohort table: bad magic.");
        }
        ushort version = reader.U16();
        if (version != Version)
        {
            throw new InvalidDataException($"Cohort table: format version {version} is not supported (this build reads {Version}).");
        }
        uint count = reader.U32();
        if (count > MaxCohorts)
        {
            throw new InvalidDataException($"Cohort table: {count} cohorts; at most {MaxCohorts}.");
        }
        var cohorts = new List<Cohort>((int)count);
        var labels = new HashSet<string>(StringComparer.Ordinal);
        for (int c = 0; c < count; c++)
        {
            int labelLength = reader.U16();
            if (labelLength is 0 or > MaxLabelBytes)
            {
                throw new InvalidDataException($"Cohort table: label of {labelLength} bytes is outside 1–{MaxLabelBytes}.");
            }
            string label;
            try
            {
                label = StrictUtf8.GetString(reader.Take(labelLength));
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException("Cohort table: a label is not valid UTF-8.", e);
            }
            if (!labels.Add(label))
            {
                throw new InvalidDataException($"Cohort table: label '{label}' appears twice.");
            }
            uint users = reader.U32();
            int items = reader.U16();
            if (users is 0 or > int.MaxValue || items > MaxItemsPerCohort)
            {
                throw new InvalidDataException($"Cohort table: cohort '{label}' has {users} users and {items} items (≥ 1 user, ≤ {MaxItemsPerCohort} items).");
            }
            var list = new (string, float)[items];
            for (int i = 0; i < items; i++)
            {
                uint index = reader.U32();
                float share = reader.F32();
                if (index < 1 || index > itemIds.Count || !float.IsFinite(share) || share is < 0 or > 1)
                {
                    throw new InvalidDataException($"Cohort table: cohort '{label}' names item {index} (1–{itemIds.Count}) with share {share} (0–1).");
                }
                list[i] = (itemIds[(int)index - 1], share);
            }
            cohorts.Add(new Cohort(label, (int)users, list));
        }
        if (!reader.AtEnd)
        {
            throw new InvalidDataException("Cohort table: trailing bytes.");
        }
        return new CohortTable(cohorts);
    }

    private ref struct SpanReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at == _bytes.Length;

        public ReadOnlySpan<byte> Take(int length)
        {
            if (length < 0 || _bytes.Length - _at < length)
            {
                throw new InvalidDataException("Cohort table: truncated.");
            }
            var slice = _bytes.Slice(_at, length);
            _at += length;
            return slice;
        }

        public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public float F32() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));
    }
}
