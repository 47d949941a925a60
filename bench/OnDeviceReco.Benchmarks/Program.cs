using BenchmarkDotNet.Running;

// `-- catalogue-memory ITEMS compact|exact` runs the one-shot memory and load-time harness (CatalogueMemory.cs).
if (args is ["catalogue-memory", _, _])
{
    return OnDeviceReco.Benchmarks.CatalogueMemory.Run(args);
}
if (args is ["movielens-recall", _, _])
{
    return OnDeviceReco.Benchmarks.MovieLensRecall.Run(args);
}
if (args is ["compact-profile", _])
{
    return OnDeviceReco.Benchmarks.CompactProfile.Run(args);
}
if (args is ["catalogue-recall", var size])
{
    Console.WriteLine(OnDeviceReco.Benchmarks.CatalogueRecall.Get(OnDeviceReco.Benchmarks.CatalogueBundles.Get(int.Parse(size, System.Globalization.CultureInfo.InvariantCulture))));
    return 0;
}
// BenchmarkSwitcher keeps the standard flags: --filter, --job short, --exporters csv, --list flat.
BenchmarkSwitcher.FromAssembly(typeof(OnDeviceReco.Benchmarks.BenchmarkData).Assembly).Run(args);
return 0;
