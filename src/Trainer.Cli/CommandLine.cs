namespace OnDeviceReco.Trainer.Cli;

/// <summary>A bad command line: printed with usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>"--name value" options after a verb. Unknown options are errors, not silently ignored.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public CommandLine(string[] args, IReadOnlySet<string> allowed)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || !allowed.Contains(name))
            {
                throw new UsageException($"Unknown option '{name}'. Allowed: {string.Join(", ", allowed.Order())}.");
            }
            if (i + 1 >= args.Length)
            {
                throw new UsageException($"Option '{name}' needs a value.");
            }
            _options[name] = args[++i];
        }
    }

    public string Required(string name) =>
        _options.TryGetValue(name, out var value) ? value : throw new UsageException($"Option '{name}' is required.");

    public string? Optional(string name) => _options.GetValueOrDefault(name);

    public int Int(string name, int fallback, int min, int max)
    {
        if (!_options.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (!int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new UsageException($"Option '{name}' must be an integer from {min} to {max}; got '{text}'.");
        }
        return value;
    }
}
