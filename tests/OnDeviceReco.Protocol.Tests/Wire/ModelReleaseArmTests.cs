using MessagePack;
using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>
/// The experiment arm in a model release: an eighth field only when there is one (devices from before experiments
/// read exactly seven), read back exactly; a release without it (an older server) has no arm; garbage is refused.
/// </summary>
public sealed class ModelReleaseArmTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static ModelRelease Release(ExperimentArm? arm = null) =>
        new(2, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), "sasrec", "key-1", 1000, Sha, new Dictionary<string, double> { ["ndcg@10"] = 0.25 })
        {
            Arm = arm,
        };

    [Fact]
    public void An_arm_round_trips_and_names_the_release_version()
    {
        var decoded = WireCodec.DecodeRelease(WireCodec.Encode(Release(new ExperimentArm("v2-vs-v1", "treatment", 2))));
        Assert.Equal(new ExperimentArm("v2-vs-v1", "treatment", 2), decoded.Arm);
        Assert.Equal("v2-vs-v1/treatment", decoded.Arm!.Label);
    }

    [Fact]
    public void Without_an_arm_the_release_is_the_seven_fields_older_devices_read()
    {
        byte[] encoded = WireCodec.Encode(Release());
        var body = new MessagePackReader(Envelope.Open(encoded, MessageKind.ModelRelease, WireLimits.Default));
        Assert.Equal(7, body.ReadArrayHeader());
        Assert.Null(WireCodec.DecodeRelease(encoded).Arm);
    }

    [Fact]
    public void A_nil_arm_and_fields_after_the_eighth_are_accepted()
    {
        var decoded = WireCodec.DecodeRelease(Seal(10, (ref MessagePackWriter w) =>
        {
            w.WriteNil();
            w.Write("a later field");
            w.Write(42);
        }));
        Assert.Null(decoded.Arm);
    }

    public static TheoryData<string> BadArms() => ["not an array", "one name", "empty experiment", "slash in arm", "65 characters", "nil name", "space"];

    [Theory]
    [MemberData(nameof(BadArms))]
    public void A_garbage_arm_is_refused_with_a_clear_error(string why)
    {
        byte[] message = Seal(8, (ref MessagePackWriter w) =>
        {
            switch (why)
            {
                case "not an array": w.Write("v2-vs-v1/treatment"); break;
                case "one name": w.WriteArrayHeader(1); w.Write("v2-vs-v1"); break;
                case "empty experiment": Names(ref w, "", "treatment"); break;
                case "slash in arm": Names(ref w, "v2-vs-v1", "a/b"); break;
                case "65 characters": Names(ref w, new string('x', 65), "treatment"); break;
                case "nil name": w.WriteArrayHeader(2); w.WriteNil(); w.Write("treatment"); break;
                default: Names(ref w, "v2 vs v1", "treatment"); break;
            }
        });
        var error = Assert.Throws<ProtocolFormatException>(() => WireCodec.DecodeRelease(message));
        Assert.Matches("arm|experiment|expected|string", error.Message);
    }

    [Fact]
    public void Labels_split_back_only_when_well_formed()
    {
        Assert.True(ExperimentArm.TryParseLabel("exp-1/control", out string experiment, out string arm));
        Assert.Equal(("exp-1", "control"), (experiment, arm));
        foreach (string? bad in (string?[])[null, "", "exp", "/control", "exp/", "exp/a/b", "exp /control", "é/control"])
        {
            Assert.False(ExperimentArm.TryParseLabel(bad, out _, out _), bad);
        }
    }

    private static void Names(ref MessagePackWriter w, string experiment, string arm)
    {
        w.WriteArrayHeader(2);
        w.Write(experiment);
        w.Write(arm);
    }

    private static byte[] Seal(int fields, HandBuilt.BodyWriter extra) => Envelope.Seal(MessageKind.ModelRelease, HandBuilt.Write((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(fields);
        w.Write(2L);
        w.Write(1_700_000_000_000L);
        w.Write("sasrec");
        w.Write("key-1");
        w.Write(1000L);
        w.Write(Sha);
        w.WriteMapHeader(0);
        extra(ref w);
    }), compress: false);
}
