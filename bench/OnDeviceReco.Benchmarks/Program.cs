using BenchmarkDotNet.Running;

// BenchmarkSwitcher keeps the standard flags: --filter, --job short, --exporters csv, --list flat.
BenchmarkSwitcher.FromAssembly(typeof(OnDeviceReco.Benchmarks.BenchmarkData).Assembly).Run(args);
