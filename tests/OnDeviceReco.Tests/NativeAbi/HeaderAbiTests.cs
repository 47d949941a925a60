namespace OnDeviceReco.Tests.NativeAbi;

/// <summary>
/// The C header cannot grow without ODR_ABI_VERSION growing: everything it declares (functions, types, struct
/// fields, constants) must be listed in tests/native/abi_manifest.txt under the version that added it, the header's
/// version must be the manifest's newest, and a released version's list never changes. So adding a function or a
/// field fails here until it is listed under a new version and ODR_ABI_VERSION is raised to it.
/// </summary>
public sealed class HeaderAbiTests
{
    /// <summary>
    /// The lines of every released version, frozen. Adding version N: list its additions in abi_manifest.txt under
    /// "version N", raise ODR_ABI_VERSION (header, with a line in its version list) and VersionExports.AbiVersion,
    /// and add N's digest here (the failure message prints it).
    /// </summary>
    private static readonly Dictionary<int, string> Released = new()
    {
        [1] = "ca680d14272c4c77",
        [2] = "81e490eb0db3a8fe",
        [3] = "1f5ec80a884847ba",
    };

    private const string HowToGrow = "Anything added to ondevicereco.h goes into tests/native/abi_manifest.txt under a new version, "
        + "with ODR_ABI_VERSION raised to that version (header, its version list, VersionExports.AbiVersion).";

    private readonly CHeader _header = CHeader.Load();
    private readonly AbiManifest _manifest = AbiManifest.Load();

    [Fact]
    public void Header_version_is_the_manifests_newest()
    {
        Assert.True(_header.Constants.TryGetValue("ODR_ABI_VERSION", out long version), "The header defines no ODR_ABI_VERSION.");
        Assert.True(version == _manifest.Latest, $"ODR_ABI_VERSION is {version}, the manifest's newest version {_manifest.Latest}. {HowToGrow}");
        Assert.Contains($" *  {version}  ", _header.Text); // the header's own list of versions says what it added
    }

    [Fact]
    public void Released_versions_never_change()
    {
        var digests = Enumerable.Range(1, _manifest.Latest).ToDictionary(v => v, _manifest.Digest);
        Assert.True(digests.Keys.Order().SequenceEqual(Released.Keys.Order()) && digests.All(d => Released[d.Key] == d.Value),
            "The manifest's versions differ from the released ones. A released version's lines never change: add a new version instead. "
            + $"Digests now: {string.Join(", ", digests.Select(d => $"[{d.Key}] = \"{d.Value}\""))}. {HowToGrow}");
    }

    [Fact]
    public void Every_function_is_in_the_manifest() => AssertSame("function", _manifest.Functions, _header.Functions);

    [Fact]
    public void Every_type_is_in_the_manifest() => AssertSame("type", _manifest.Types, _header.Types);

    [Fact]
    public void Every_constant_is_in_the_manifest_with_its_value()
    {
        var declared = _header.Constants.Where(c => c.Key != "ODR_ABI_VERSION").Select(c => $"{c.Key} {c.Value}").ToList();
        AssertSame("constant", _manifest.Constants.Select(c => $"{c.Key} {c.Value}").ToList(), declared);
    }

    [Fact]
    public void Every_struct_has_the_manifests_fields_in_order()
    {
        AssertSame("struct", _manifest.Structs.Keys.ToList(), _header.Structs.Keys.ToList());
        foreach (var (name, fields) in _header.Structs)
        {
            Assert.True(_manifest.Structs[name].SequenceEqual(fields),
                $"{name} declares [{string.Join(", ", fields)}]; the manifest lists [{string.Join(", ", _manifest.Structs[name])}]. "
                + $"Structs are append-only. {HowToGrow}");
        }
    }

    private static void AssertSame(string kind, IReadOnlyList<string> listed, IReadOnlyList<string> declared)
    {
        Assert.NotEmpty(declared); // the header parser found something: an unreadable header is not a pass
        var unlisted = declared.Except(listed).ToList();
        var missing = listed.Except(declared).ToList();
        Assert.True(unlisted.Count == 0 && missing.Count == 0 && declared.Count == declared.Distinct().Count(),
            $"The header's {kind} declarations and the manifest differ. In the header only: [{string.Join(", ", unlisted)}]; "
            + $"in the manifest only (removed from the header? the ABI never removes): [{string.Join(", ", missing)}]. {HowToGrow}");
    }
}
