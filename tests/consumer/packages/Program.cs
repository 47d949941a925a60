using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

// Usage: PackageCheck FEED_DIRECTORY. One line per package (ok/FAIL and why), then "package check: N passed, M failed";
// exit 1 when any package failed.
if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: PackageCheck FEED_DIRECTORY (the directory build/package.sh wrote)");
    return 2;
}
var packages = Directory.GetFiles(args[0], "*.nupkg").Order(StringComparer.Ordinal).ToList();
if (packages.Count == 0)
{
    Console.Error.WriteLine($"no .nupkg in {args[0]}: run build/package.sh first");
    return 2;
}
int passed = 0, failed = 0;
foreach (string path in packages)
{
    var problems = PackageRules.Check(path, out string id, out int assemblies);
    if (problems.Count == 0)
    {
        passed++;
        Console.WriteLine($"ok   {id}: {assemblies} assemblies of ours under lib/ and tools/, no test-only names");
    }
    else
    {
        failed++;
        Console.WriteLine($"FAIL {id}:");
        foreach (string problem in problems)
        {
            Console.WriteLine($"       {problem}");
        }
    }
}
Console.WriteLine($"package check: {passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

/// <summary>What a shipped package must not carry.</summary>
internal static class PackageRules
{
    /// <summary>Names only test code has: the shared test helpers and hooks named for tests.</summary>
    private static readonly string[] TestOnlyNames = ["ForTesting", "TemporaryPostgres", "ClusteredItemTable", "ManualClock", "TempDirectory", "TestSupport"];

    /// <summary>Assemblies only tests reference.</summary>
    private static readonly string[] TestOnlyReferences = ["xunit", "OnDeviceReco.TestSupport", "Microsoft.NET.Test.Sdk", "Microsoft.TestPlatform"];

    public static List<string> Check(string path, out string id, out int assemblies)
    {
        var problems = new List<string>();
        using var zip = ZipFile.OpenRead(path);
        var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/')).Open());
        XNamespace ns = nuspec.Root!.Name.Namespace;
        id = nuspec.Root.Element(ns + "metadata")!.Element(ns + "id")!.Value;
        assemblies = 0;
        foreach (var entry in zip.Entries.Where(e => (e.FullName.StartsWith("lib/", StringComparison.Ordinal) || e.FullName.StartsWith("tools/", StringComparison.Ordinal))
                     && e.FullName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)))
        {
            // Copied into memory: PEReader needs a seekable stream.
            using var image = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(image);
            }
            image.Position = 0;
            using var pe = new PEReader(image);
            if (!pe.HasMetadata)
            {
                continue;
            }
            var reader = pe.GetMetadataReader();
            if (!reader.IsAssembly)
            {
                continue;
            }
            string assembly = reader.GetString(reader.GetAssemblyDefinition().Name);
            // Third-party assemblies a tool package carries beside ours are theirs to name; only ours are checked.
            if (!assembly.StartsWith("OnDeviceReco", StringComparison.Ordinal))
            {
                continue;
            }
            assemblies++;
            foreach (string name in Names(reader))
            {
                if (TestOnlyNames.FirstOrDefault(t => name.Contains(t, StringComparison.Ordinal)) is { } match)
                {
                    problems.Add($"{entry.FullName}: '{name}' looks test-only ({match})");
                }
            }
            foreach (var handle in reader.AssemblyReferences)
            {
                string reference = reader.GetString(reader.GetAssemblyReference(handle).Name);
                if (TestOnlyReferences.Any(t => reference.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
                {
                    problems.Add($"{entry.FullName}: references test assembly {reference}");
                }
            }
        }
        if (id == "OnDeviceReco.Server")
        {
            problems.AddRange(ServerPackaging(zip, nuspec, ns));
        }
        return problems;
    }

    /// <summary>
    /// The server package carries its own assembly and depends on the trainer and feedback packages; a custom pack
    /// target shows as their assemblies inside lib/ (and no dependency), or as build targets shipped with it.
    /// </summary>
    private static IEnumerable<string> ServerPackaging(ZipArchive zip, XDocument nuspec, XNamespace ns)
    {
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                     && !e.Name.Equals("OnDeviceReco.Server.dll", StringComparison.Ordinal)))
        {
            yield return $"{entry.FullName}: another project's assembly packed inside the server package (a custom pack target); depend on its package";
        }
        foreach (var entry in zip.Entries.Where(e => (e.FullName.StartsWith("build", StringComparison.Ordinal)) && (e.Name.EndsWith(".targets", StringComparison.Ordinal) || e.Name.EndsWith(".props", StringComparison.Ordinal))))
        {
            yield return $"{entry.FullName}: the server package ships MSBuild targets";
        }
        var dependencies = nuspec.Descendants(ns + "dependency").Select(d => (string?)d.Attribute("id")).ToHashSet(StringComparer.Ordinal);
        foreach (string needed in new[] { "OnDeviceReco.Trainer", "OnDeviceReco.Feedback", "OnDeviceReco.Protocol" })
        {
            if (!dependencies.Contains(needed))
            {
                yield return $"nuspec: no dependency on {needed}";
            }
        }
    }

    /// <summary>Every type (with its namespace), method, field, property and event name the assembly defines.</summary>
    private static IEnumerable<string> Names(MetadataReader reader)
    {
        foreach (var handle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(handle);
            string name = reader.GetString(type.Namespace) is { Length: > 0 } space ? $"{space}.{reader.GetString(type.Name)}" : reader.GetString(type.Name);
            yield return name;
            foreach (var method in type.GetMethods())
            {
                yield return $"{name}.{reader.GetString(reader.GetMethodDefinition(method).Name)}";
            }
            foreach (var field in type.GetFields())
            {
                yield return $"{name}.{reader.GetString(reader.GetFieldDefinition(field).Name)}";
            }
            foreach (var property in type.GetProperties())
            {
                yield return $"{name}.{reader.GetString(reader.GetPropertyDefinition(property).Name)}";
            }
            foreach (var @event in type.GetEvents())
            {
                yield return $"{name}.{reader.GetString(reader.GetEventDefinition(@event).Name)}";
            }
        }
    }
}
