using System.Buffers;
using MessagePack;

namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// <c>[version, created unix ms, architecture, key id, package bytes, package sha256, {metric: value}]</c> and
/// <c>[version, {file name: bytes}]</c>. File names are checked to be plain names: a device writes them to disk.
/// </summary>
internal static class ModelFormats
{
    private const int MaxMetrics = 64;
    private const int MaxReleaseFields = 32;

    public static void Write(ref MessagePackWriter writer, ModelRelease release)
    {
        // The eighth field only when there is an arm: devices from before experiments read exactly seven.
        writer.WriteArrayHeader(release.Arm is null ? 7 : 8);
        writer.Write(release.ModelVersion);
        writer.Write(release.CreatedAt.ToUnixTimeMilliseconds());
        writer.Write(release.Architecture);
        writer.Write(release.KeyId);
        writer.Write(release.PackageBytes);
        writer.Write(release.PackageSha256);
        writer.WriteMapHeader(release.Metrics.Count);
        foreach (var (name, value) in release.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            writer.Write(name);
            writer.Write(value);
        }
        if (release.Arm is { } arm)
        {
            writer.WriteArrayHeader(2);
            writer.Write(arm.Experiment);
            writer.Write(arm.Arm);
        }
    }

    public static ModelRelease ReadRelease(ref MessagePackReader reader, WireLimits limits)
    {
        int fields = reader.ReadArrayHeader();
        if (fields is < 7 or > MaxReleaseFields)
        {
            throw new ProtocolFormatException($"model release: expected 7 to {MaxReleaseFields} fields, found {fields}.");
        }
        long version = reader.ReadInt64();
        if (version < 1)
        {
            throw new ProtocolFormatException($"model release: version {version} is not positive.");
        }
        var created = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
        string architecture = WireRead.String(ref reader, 64, "architecture");
        string keyId = WireRead.String(ref reader, 64, "key id");
        long bytes = reader.ReadInt64();
        if (bytes < 1 || bytes > limits.MaxPackageBytes)
        {
            throw new ProtocolFormatException($"model release: package size {bytes} is outside 1..{limits.MaxPackageBytes}.");
        }
        string sha = WireRead.String(ref reader, 64, "package sha256");
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigitLower))
        {
            throw new ProtocolFormatException("model release: package sha256 is not 64 lowercase hex digits.");
        }
        int metricCount = WireRead.MapOf(ref reader, MaxMetrics, "metrics");
        var metrics = new Dictionary<string, double>(metricCount, StringComparer.Ordinal);
        for (int i = 0; i < metricCount; i++)
        {
            string name = WireRead.String(ref reader, 64, "metric name");
            if (!metrics.TryAdd(name, WireRead.FiniteDouble(ref reader, "metric value")))
            {
                throw new ProtocolFormatException($"metrics: '{name}' appears twice.");
            }
        }
        var arm = fields >= 8 ? ReadArm(ref reader, version) : null;
        for (int extra = 8; extra < fields; extra++)
        {
            reader.Skip(); // fields a newer server may add
        }
        return new ModelRelease(version, created, architecture, keyId, bytes, sha, metrics) { Arm = arm };
    }

    /// <summary><c>nil</c> (no experiment) or <c>[experiment, arm]</c>, both plain names (<see cref="ExperimentArm.IsName"/>).</summary>
    private static ExperimentArm? ReadArm(ref MessagePackReader reader, long version)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        WireRead.ExpectArray(ref reader, 2, "experiment arm");
        string experiment = WireRead.String(ref reader, ExperimentArm.MaxNameLength, "experiment id");
        string arm = WireRead.String(ref reader, ExperimentArm.MaxNameLength, "arm name");
        if (!ExperimentArm.IsName(experiment) || !ExperimentArm.IsName(arm))
        {
            throw new ProtocolFormatException("experiment arm: names must be 1-64 characters of letters, digits, '.', '_' or '-'.");
        }
        return new ExperimentArm(experiment, arm, version);
    }

    public static void Write(ref MessagePackWriter writer, ModelPackage package)
    {
        writer.WriteArrayHeader(2);
        writer.Write(package.ModelVersion);
        writer.WriteMapHeader(package.Files.Count);
        foreach (var (name, bytes) in package.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            writer.Write(name);
            writer.Write(bytes);
        }
    }

    public static ModelPackage ReadPackage(ref MessagePackReader reader, WireLimits limits)
    {
        WireRead.ExpectArray(ref reader, 2, "model package");
        long version = reader.ReadInt64();
        if (version < 1)
        {
            throw new ProtocolFormatException($"model package: version {version} is not positive.");
        }
        int count = WireRead.MapOf(ref reader, limits.MaxPackageFiles, "model package files");
        var files = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = WireRead.String(ref reader, 128, "file name");
            if (!IsPlainFileName(name))
            {
                throw new ProtocolFormatException($"model package: '{name}' is not a plain file name.");
            }
            var content = reader.ReadBytes() ?? throw new ProtocolFormatException($"model package: '{name}' is nil.");
            if (!files.TryAdd(name, content.ToArray()))
            {
                throw new ProtocolFormatException($"model package: '{name}' appears twice.");
            }
        }
        return new ModelPackage(version, files);
    }

    /// <summary>Letters, digits, '.', '_' and '-', not starting with '.': nothing that can leave the target directory.</summary>
    public static bool IsPlainFileName(string name) =>
        name.Length is > 0 and <= 128 && name[0] != '.'
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
