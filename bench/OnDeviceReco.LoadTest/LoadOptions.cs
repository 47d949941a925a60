using System.Globalization;

namespace OnDeviceReco.LoadTest;

/// <summary>The command line: --store sqlite|postgresql, --nodes N, --devices N, --events-per-device N, --batch N, --concurrency N, --warmup-seconds S, --connection-string S, --training-read.</summary>
internal sealed record LoadOptions(string Store, int Nodes, int Devices, int EventsPerDevice, int BatchEvents, int Concurrency, double WarmupSeconds, string? ConnectionString)
{
    /// <summary>
    /// How long other devices send before the clock starts (0: no warm-up). At 1M events the ramp-up — JIT tier-up of
    /// client and server, connection pools, fresh PostgreSQL backends — lasted about 6 s of a 10 s run.
    /// </summary>
    public const double DefaultWarmupSeconds = 6;

    public static LoadOptions Parse(string[] args)
    {
        string? Arg(string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var options = new LoadOptions(
            Arg("--store") ?? "sqlite",
            Int("--nodes", 1),
            Int("--devices", 1000),
            Int("--events-per-device", 100),
            Int("--batch", 50),
            Int("--concurrency", 32),
            Arg("--warmup-seconds") is { } warmup ? double.Parse(warmup, CultureInfo.InvariantCulture) : DefaultWarmupSeconds,
            Arg("--connection-string"));
        if (options.Store is not ("sqlite" or "postgresql") || options.Nodes < 1 || options.Devices < 1 || options.EventsPerDevice < 1
            || options.BatchEvents < 1 || options.Concurrency < 1 || !(options.WarmupSeconds >= 0))
        {
            throw new ArgumentException("usage: --store sqlite|postgresql --nodes N --devices N --events-per-device N [--batch N] [--concurrency N] [--warmup-seconds S] [--connection-string S]");
        }
        if (options.Store == "sqlite" && options.Nodes > 1)
        {
            throw new ArgumentException("A SQLite store belongs to one node: use --nodes 1, or --store postgresql for several.");
        }
        return options;
    }
}
