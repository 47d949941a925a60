using System.Globalization;
using OnDeviceReco.Trainer.Synthetic;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// generate --out FILE.csv [--users N] [--items N] [--mean-length F] [--follow F] [--jump F] [--seed N]
/// Writes a generated interactions file (user,item,timestamp) with a learnable sequential structure
/// (<see cref="ClusteredCatalogue"/>), for checking a recipe at a catalogue size no dataset here has.
/// </summary>
public static class GenerateCommand
{
    private static readonly HashSet<string> Options = ["--out", "--users", "--items", "--mean-length", "--follow", "--jump", "--seed"];

    public static int Run(string[] args)
    {
        var line = new CommandLine(args, Options);
        string path = line.Required("--out");
        int users = line.Int("--users", 31_013, 1, 100_000_000);
        int items = line.Int("--items", 23_715, 2, 100_000_000);
        double Real(string name, double fallback, double min, double max)
        {
            string? text = line.Optional(name);
            return text is null ? fallback
                : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max ? value
                : throw new UsageException($"Option '{name}' must be a number from {min} to {max}; got '{text}'.");
        }
        double meanLength = Real("--mean-length", 9.26, 5.01, 10_000);
        double follow = Real("--follow", 0.55, 0, 1);
        double jump = Real("--jump", 0.2, 0, 1 - follow);
        int seed = line.Int("--seed", 1, 0, int.MaxValue);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        Directory.CreateDirectory(directory!);
        long count = 0;
        using (var writer = new StreamWriter(path))
        {
            writer.WriteLine("user,item,timestamp");
            foreach (var row in ClusteredCatalogue.Generate(users, items, meanLength, follow: follow, jump: jump, seed: seed))
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"u{row.User},i{row.Item},{row.Timestamp}"));
                count++;
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: {users:N0} users, {items:N0} items, {count:N0} interactions"));
        return 0;
    }
}
