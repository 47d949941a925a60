using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>A device writes package files to disk by name: only plain names are accepted, never a path.</summary>
public sealed class ModelPackageRejectionTests
{
    private static readonly byte[] Content = [1, 2, 3];

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\b")]
    [InlineData("..\\x")]
    [InlineData("C:x")]
    [InlineData(".hidden")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a b")]
    [InlineData("model.onnx\0.txt")]
    [InlineData("é.onnx")]
    [InlineData("ｍodel.onnx")]
    [InlineData("model.onnx\n")]
    [InlineData("a*b")]
    [InlineData("~")]
    public void A_file_name_that_is_not_plain_is_rejected(string name)
    {
        byte[] message = HandBuilt.SealPackage(("model.onnx", Content), (name, Content));
        var e = WireAssert.Rejects(() => WireCodec.DecodePackage(message), $"name '{name}'");
        Assert.Contains("not a plain file name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_over_128_characters_is_rejected()
    {
        WireAssert.Rejects(() => WireCodec.DecodePackage(HandBuilt.SealPackage((new string('a', 129), Content))), "129 chars");
    }

    [Theory]
    [InlineData("model.onnx")]
    [InlineData("manifest.sig")]
    [InlineData("a")]
    [InlineData("a..b")]
    [InlineData("x.")]
    [InlineData("_-_.-")]
    [InlineData("0")]
    public void Plain_names_are_accepted(string name)
    {
        var package = WireCodec.DecodePackage(HandBuilt.SealPackage((name, Content)));
        Assert.Equal(Content, package.Files[name]);
    }

    [Fact]
    public void A_name_of_exactly_128_characters_is_accepted()
    {
        string name = new('m', 128);
        Assert.Equal(Content, WireCodec.DecodePackage(HandBuilt.SealPackage((name, Content))).Files[name]);
    }

    [Fact]
    public void A_name_given_twice_is_rejected()
    {
        var e = WireAssert.Rejects(() => WireCodec.DecodePackage(HandBuilt.SealPackage(("a", Content), ("a", [9]))), "duplicate");
        Assert.Contains("twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_files_than_the_limit_are_rejected()
    {
        int limit = WireLimits.Default.MaxPackageFiles;
        var files = Enumerable.Range(0, limit + 1).Select(i => ($"f{i}", Content)).ToArray();
        WireAssert.Rejects(() => WireCodec.DecodePackage(HandBuilt.SealPackage(files)), "17 files");
        Assert.Equal(limit, WireCodec.DecodePackage(HandBuilt.SealPackage(files[..limit])).Files.Count);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void A_non_positive_version_is_rejected(long version)
    {
        byte[] message = Envelope.Seal(MessageKind.ModelPackage, HandBuilt.PackageBody(version, ("a", Content)), compress: false);
        WireAssert.Rejects(() => WireCodec.DecodePackage(message), $"version {version}");
    }

    [Fact]
    public void Nil_or_non_binary_content_is_rejected()
    {
        foreach (bool nil in new[] { true, false })
        {
            byte[] body = HandBuilt.Write((ref MessagePack.MessagePackWriter w) =>
            {
                w.WriteArrayHeader(2);
                w.Write(1);
                w.WriteMapHeader(1);
                w.Write("model.onnx");
                if (nil)
                {
                    w.WriteNil();
                }
                else
                {
                    // Not a string: MessagePack's ReadBytes also takes str headers (old-spec compatibility).
                    w.Write(12345);
                }
            });
            byte[] message = Envelope.Seal(MessageKind.ModelPackage, body, compress: false);
            WireAssert.Rejects(() => WireCodec.DecodePackage(message), nil ? "nil content" : "integer content");
        }
    }

    [Fact]
    public void A_lower_file_limit_is_honoured()
    {
        byte[] message = HandBuilt.SealPackage(("a", Content), ("b", Content));
        Assert.Equal(2, WireCodec.DecodePackage(message, new WireLimits { MaxPackageFiles = 2 }).Files.Count);
        WireAssert.Rejects(() => WireCodec.DecodePackage(message, new WireLimits { MaxPackageFiles = 1 }), "2 files, limit 1");
    }
}
