using MessagePack;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>Model release fields out of range are rejected.</summary>
public sealed class ModelReleaseRejectionTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private sealed record Fields(
        long Version = 3,
        long CreatedMs = 1_700_000_000_000,
        string Architecture = "sasrec",
        string KeyId = "key-1",
        long PackageBytes = 1000,
        string Sha256 = Sha,
        (string Name, double Value)[]? Metrics = null);

    private static byte[] Seal(Fields f) => Envelope.Seal(MessageKind.ModelRelease, HandBuilt.Write((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(7);
        w.Write(f.Version);
        w.Write(f.CreatedMs);
        w.Write(f.Architecture);
        w.Write(f.KeyId);
        w.Write(f.PackageBytes);
        w.Write(f.Sha256);
        var metrics = f.Metrics ?? [("ndcg@10", 0.25)];
        w.WriteMapHeader(metrics.Length);
        foreach (var (name, value) in metrics)
        {
            w.Write(name);
            w.Write(value);
        }
    }), compress: false);

    [Fact]
    public void The_hand_built_release_is_accepted()
    {
        var release = WireCodec.DecodeRelease(Seal(new Fields()));
        Assert.Equal(3, release.ModelVersion);
        Assert.Equal(0.25, release.Metrics["ndcg@10"]);
    }

    public static TheoryData<string> BadReleases() =>
    [
        "version 0", "version -1", "created before year 1", "created after year 9999", "package 0 bytes",
        "package over the limit", "sha uppercase", "sha short", "sha not hex", "architecture 65 bytes", "key id 65 bytes",
        "metric NaN", "metric infinite", "metric twice", "65 metrics", "metric name 65 bytes",
    ];

    [Theory]
    [MemberData(nameof(BadReleases))]
    public void Out_of_range_fields_are_rejected(string why)
    {
        var f = why switch
        {
            "version 0" => new Fields(Version: 0),
            "version -1" => new Fields(Version: -1),
            "created before year 1" => new Fields(CreatedMs: -62_135_596_800_001),
            "created after year 9999" => new Fields(CreatedMs: 253_402_300_800_000),
            "package 0 bytes" => new Fields(PackageBytes: 0),
            "package over the limit" => new Fields(PackageBytes: WireLimits.Default.MaxPackageBytes + 1L),
            "sha uppercase" => new Fields(Sha256: Sha.ToUpperInvariant()),
            "sha short" => new Fields(Sha256: Sha[..63]),
            "sha not hex" => new Fields(Sha256: Sha[..63] + "g"),
            "architecture 65 bytes" => new Fields(Architecture: new string('a', 65)),
            "key id 65 bytes" => new Fields(KeyId: new string('k', 65)),
            "metric NaN" => new Fields(Metrics: [("m", double.NaN)]),
            "metric infinite" => new Fields(Metrics: [("m", double.NegativeInfinity)]),
            "metric twice" => new Fields(Metrics: [("m", 1), ("m", 2)]),
            "65 metrics" => new Fields(Metrics: Enumerable.Range(0, 65).Select(i => ($"m{i}", 1.0)).ToArray()),
            "metric name 65 bytes" => new Fields(Metrics: [(new string('m', 65), 1)]),
            _ => throw new ArgumentOutOfRangeException(nameof(why)),
        };
        WireAssert.Rejects(() => WireCodec.DecodeRelease(Seal(f)), why);
    }

    [Fact]
    public void The_extremes_of_the_ranges_are_accepted()
    {
        var f = new Fields(Version: long.MaxValue, CreatedMs: 253_402_300_799_999, Architecture: new string('a', 64), KeyId: "",
            PackageBytes: WireLimits.Default.MaxPackageBytes, Metrics: Enumerable.Range(0, 64).Select(i => ($"m{i}", -0.0)).ToArray());
        var release = WireCodec.DecodeRelease(Seal(f));
        Assert.Equal(64, release.Metrics.Count);
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds(), release.CreatedAt.ToUnixTimeMilliseconds());
    }
}
