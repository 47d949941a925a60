using System.Globalization;
using OnDeviceReco.Trainer.Synthetic;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// generate --out FILE.csv [--preset easy|hard] [--users N] [--items N] [--mean-length F] [--follow F] [--jump F] [--noise F]
/// [--skew F] [--cluster-size N] [--successors N] [--seed N]
/// Writes a generated interactions file (user,item,timestamp) with a learnable sequential structure
/// (<see cref="ClusteredCatalogue"/>), for checking a recipe at a catalogue size no dataset here has. The preset sets
/// the shape (<see cref="CatalogueShape.Easy"/>, the default, or <see cref="CatalogueShape.Hard"/>, about as hard as
/// real data); each option overrides its part of it.
/// </summary>
public static class GenerateCommand
{
    private static readonly HashSet<string> Options = ["--out", "--users", "--items", "--mean-length", "--follow", "--jump", "--seed", "--preset", "--noise", "--skew", "--cluster-size", "--successors"];

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
        var preset = (line.Optional("--preset") ?? "easy") switch
        {
            "easy" => CatalogueShape.Easy,
            "hard" => CatalogueShape.Hard,
            string other => throw new UsageException($"Option '--preset' must be 'easy' or 'hard'; got '{other}'."),
        };
        double follow = Real("--follow", preset.Follow, 0, 1);
        double jump = Real("--jump", preset.Jump, 0, 1 - follow);
        double noise = Real("--noise", preset.Noise, 0, 1 - follow - jump);
        var shape = new CatalogueShape(
            ClusterSize: line.Int("--cluster-size", preset.ClusterSize, 1, items),
            Successors: line.Int("--successors", preset.Successors, 1, 1_000),
            Follow: follow, Jump: jump, Noise: noise,
            PopularitySkew: Real("--skew", preset.PopularitySkew, 1, 10));
        int seed = line.Int("--seed", 1, 0, int.MaxValue);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        Directory.CreateDirectory(directory!);
        long count = 0;
        using (var writer = new StreamWriter(path))
        {
            writer.WriteLine("user,item,timestamp");
            foreach (var row in ClusteredCatalogue.Generate(users, items, meanLength, shape, seed))
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"u{row.User},i{row.Item},{row.Timestamp}"));
                count++;
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: {users:N0} users, {items:N0} items, {count:N0} interactions"));
        return 0;
    }
}
