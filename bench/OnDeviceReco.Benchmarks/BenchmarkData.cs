namespace OnDeviceReco.Benchmarks;

/// <summary>Realistic ids, built once so that string formatting is not what gets measured.</summary>
internal static class BenchmarkData
{
    public static string[] Users(int count) => Enumerable.Range(0, count).Select(i => $"player-{i:D6}").ToArray();

    public static string[] Items(int count) => Enumerable.Range(0, count).Select(i => $"sku-{i * 7919 % 100_000:D6}").ToArray();

    public static string NewDatabasePath() =>
        Path.Combine(Path.GetTempPath(), "odr-bench", Guid.NewGuid().ToString("N"), "store.db");

    public static void DeleteDatabase(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
