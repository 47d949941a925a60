using System.Globalization;

namespace OnDeviceReco.LoadTest;

/// <summary>The command line: --store sqlite|postgresql, --nodes N, --devices N, --events-per-device N, --batch N, --concurrency N, --connection-string S, --training-read.</summary>
internal sealed record LoadOptions(string Store, int Nodes, int Devices, int EventsPerDevice, int BatchEvents, int Concurrency, string? ConnectionString)
{
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
            Arg("--connection-string"));
        if (options.Store is not ("sqlite" or "postgresql") || options.Nodes < 1 || options.Devices < 1 || options.EventsPerDevice < 1
            || options.BatchEvents < 1 || options.Concurrency < 1)
        {
            throw new ArgumentException("usage: --store sqlite|postgresql --nodes N --devices N --events-per-device N [--batch N] [--concurrency N] [--connection-string S]");
        }
        if (options.Store == "sqlite" && options.Nodes > 1)
        {
            throw new ArgumentException("A SQLite store belongs to one node: use --nodes 1, or --store postgresql for several.");
        }
        return options;
    }
}
