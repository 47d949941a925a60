using Xunit.Abstractions;
using System.Security.Cryptography;
using System.Text;
using OnDeviceReco.Protocol.Tests.Support;

namespace OnDeviceReco.Protocol.Tests;

/// <summary>
/// A correctly signed manifest is still refused when its content is bad: the trusted key vouches for the bytes,
/// not for the trainer's bugs.
/// </summary>
public sealed class SignedManifestTests(ITestOutputHelper output)
{
    /// <summary>Edits of a valid manifest, by name so xunit can list each case.</summary>
    private static readonly Dictionary<string, Func<string, string>> Edits = new()
    {
        ["empty"] = _ => "",
        ["not json"] = _ => "model bundle, trust me",
        ["cut short"] = j => j[..(j.Length / 2)],
        ["array root"] = _ => "[]",
        ["null root"] = _ => "null",
        ["only a version"] = _ => "{\"formatVersion\":1}",
        ["trailing data"] = j => j + " {}",
        ["trailing comma"] = j => j[..^1] + ",}",
        ["comment"] = j => "/* hi */" + j,
        ["byte order mark"] = j => "\uFEFF" + j,
        ["version as string"] = j => j.Replace("\"formatVersion\":1", "\"formatVersion\":\"1\"", StringComparison.Ordinal),
        ["version as fraction"] = j => j.Replace("\"formatVersion\":1", "\"formatVersion\":1.5", StringComparison.Ordinal),
        ["repeated property"] = j => j.Replace("\"modelVersion\":42", "\"modelVersion\":42,\"modelVersion\":43", StringComparison.Ordinal),
        ["repeated version"] = j => j[..^1] + ",\"formatVersion\":1}",
        ["missing items"] = DropItems,
        ["model version not a number"] = j => j.Replace("\"modelVersion\":42", "\"modelVersion\":\"42\"", StringComparison.Ordinal),
        ["date not a date"] = j => Regex(j, "\"createdAt\":\"[^\"]*\"", "\"createdAt\":\"yesterday\""),
        ["zero embedding"] = j => j.Replace("\"embeddingDimension\":64", "\"embeddingDimension\":0", StringComparison.Ordinal),
        ["path in file name"] = j => j.Replace("\"vocab.txt\"", "\"../vocab.txt\"", StringComparison.Ordinal),
        ["manifest listed"] = j => j.Replace("\"vocab.txt\"", "\"manifest.json\"", StringComparison.Ordinal),
        ["model not listed"] = j => j.Replace("\"model.onnx\"", "\"model2.onnx\"", StringComparison.Ordinal),
        ["uppercase hash"] = j => Regex(j, "\"model.onnx\":\"([0-9a-f]{64})\"", m => m.Value.ToUpperInvariant().Replace("MODEL.ONNX", "model.onnx", StringComparison.Ordinal)),
        ["duplicate item"] = j => j.Replace("{\"id\":\"i2\"}", "{\"id\":\"i1\"}", StringComparison.Ordinal),
        ["item without id"] = j => j.Replace("{\"id\":\"i2\"}", "{\"title\":\"x\"}", StringComparison.Ordinal),
        ["popular unknown item"] = j => j.Replace("\"popularity\":[\"i3\"", "\"popularity\":[\"i9\"", StringComparison.Ordinal),
        ["control character in id"] = j => j.Replace("{\"id\":\"i2\"}", "{\"id\":\"i\\u0007\"}", StringComparison.Ordinal),
        ["lone surrogate in id"] = j => j.Replace("{\"id\":\"i2\"}", "{\"id\":\"i\\ud800\"}", StringComparison.Ordinal),
        ["id over 256 bytes"] = j => j.Replace("{\"id\":\"i2\"}", $"{{\"id\":\"{new string('x', 257)}\"}}", StringComparison.Ordinal),
        ["escaped id over 256 bytes"] = j => j.Replace("{\"id\":\"i2\"}", $"{{\"id\":\"{string.Concat(Enumerable.Repeat("\\u0041", 257))}\"}}", StringComparison.Ordinal),
        ["metric not a number"] = j => j.Replace("\"hit@10\":0.5", "\"hit@10\":\"0.5\"", StringComparison.Ordinal),
        ["nested too deep"] = j => "{\"x\":" + new string('[', 100) + new string(']', 100) + "," + j[1..],
    };

    public static TheoryData<string> EditNames => new(Edits.Keys);

    [Theory]
    [MemberData(nameof(EditNames))]
    public void A_signed_but_malformed_manifest_is_refused(string edit)
    {
        using var b = TestBundle.Create();
        b.WriteSignedManifest(Encoding.UTF8.GetBytes(Edits[edit](b.ManifestText)));

        BundleRejection rejection = Rejections.Of(b.Verifier(), b.Directory);
        output.WriteLine(rejection.Message);
        Assert.Equal(BundleRejectReason.ManifestMalformed, rejection.Reason);
        Assert.Equal(BundleFileNames.Manifest, rejection.FileName);
    }

    [Fact]
    public void Invalid_utf8_in_a_signed_manifest_is_refused()
    {
        using var b = TestBundle.Create();
        byte[] json = b.Read(BundleFileNames.Manifest);
        int at = Encoding.UTF8.GetString(json).IndexOf("i2", StringComparison.Ordinal);
        json[at] = 0xFF;
        b.WriteSignedManifest(json);

        Assert.Equal(BundleRejectReason.ManifestMalformed, Rejections.Of(b.Verifier(), b.Directory).Reason);
    }

    [Fact]
    public void An_escaped_id_of_exactly_256_bytes_is_accepted()
    {
        using var b = TestBundle.Create();
        string id = string.Concat(Enumerable.Repeat("\\u0041", 256));
        b.WriteSignedManifest(Encoding.UTF8.GetBytes(b.ManifestText.Replace("{\"id\":\"i2\"}", $"{{\"id\":\"{id}\"}}", StringComparison.Ordinal)));

        Assert.Equal(new string('A', 256), b.Verifier().Verify(b.Directory).Manifest.Items[1].Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-1)]
    public void A_signed_manifest_with_another_format_version_is_unsupported(int version)
    {
        using var b = TestBundle.Create();
        b.WriteSignedManifest(Encoding.UTF8.GetBytes(b.ManifestText.Replace("\"formatVersion\":1", $"\"formatVersion\":{version}", StringComparison.Ordinal)));

        BundleRejection rejection = Rejections.Of(b.Verifier(), b.Directory);
        Assert.Equal(BundleRejectReason.UnsupportedFormat, rejection.Reason);
        Assert.Contains(version.ToString(System.Globalization.CultureInfo.InvariantCulture), rejection.Message);
    }

    [Fact]
    public void A_future_layout_is_unsupported_rather_than_malformed()
    {
        using var b = TestBundle.Create();
        b.WriteSignedManifest("{\"model\":{\"layers\":[1,2]},\"formatVersion\":3,\"keyId\":7}"u8.ToArray());

        Assert.Equal(BundleRejectReason.UnsupportedFormat, Rejections.Of(b.Verifier(), b.Directory).Reason);
    }

    [Fact]
    public void A_manifest_naming_another_key_than_its_signer_is_refused()
    {
        using var b = TestBundle.Create();
        using ECDsa other = BundleSigner.CreateKey();
        string json = b.ManifestText.Replace(b.Manifest.KeyId, BundleKeyId.Compute(other), StringComparison.Ordinal);
        b.WriteSignedManifest(Encoding.UTF8.GetBytes(json));

        // Signed by the trusted key, so the bytes are authentic; they are just inconsistent.
        BundleRejection rejection = Rejections.Of(new BundleVerifier([b.Key, other]), b.Directory);
        Assert.Equal(BundleRejectReason.ManifestMalformed, rejection.Reason);
    }

    /// <summary>Items is the last property: drop it with the comma before it.</summary>
    private static string DropItems(string json) => json[..(json.IndexOf(",\"items\":", StringComparison.Ordinal))] + "}";

    private static string Regex(string input, string pattern, string replacement) =>
        System.Text.RegularExpressions.Regex.Replace(input, pattern, replacement);

    private static string Regex(string input, string pattern, System.Text.RegularExpressions.MatchEvaluator evaluator) =>
        System.Text.RegularExpressions.Regex.Replace(input, pattern, evaluator);
}
