using System.Text.RegularExpressions;

namespace OnDeviceReco.Native;

/// <summary>
/// Error messages in the header's language: a C programmer reads "user_id", the name in ondevicereco.h, not the
/// SDK's "userId" with .NET's " (Parameter 'userId')" and "Actual value was …" lines. The SDK's texts stay as
/// they are for .NET callers; only what crosses the C ABI is rewritten.
/// </summary>
internal static partial class CErrorText
{
    // Names the SDK uses (parameter names, option properties) → the argument or field a C caller passed.
    private static readonly Dictionary<string, string> CNames = new(StringComparer.Ordinal)
    {
        ["userId"] = "user_id",
        ["itemId"] = "item_id",
        ["ItemId"] = "item_id",
        ["requestId"] = "item->request_id",
        ["rank"] = "item->rank",
        ["source"] = "item->source",
        ["maxLength"] = "max_items",
        ["Categories"] = "categories",
        ["bundleDirectory"] = "bundle_dir",
        ["consent"] = "consent",
        ["DatabasePath"] = "config->database_path",
        ["MaxRows"] = "config->max_events",
        ["FlushInterval"] = "config->flush_interval_ms",
        ["IntraOpThreads"] = "config->inference_threads",
        ["ServerUri"] = "config->sync_url",
        ["ApiKey"] = "config->sync_api_key",
        ["MaxAttempts"] = "config->sync_max_attempts",
        ["Interval"] = "config->sync_interval_s",
        ["TrustedModelKeys"] = "config->trusted_key_pem",
        ["RecoClientOptions.Sync"] = "config->sync_url",
        ["RecoClientOptions.TrustedModelKeys"] = "config->trusted_key_pem",
    };

    public static string For(Exception e)
    {
        string text = e.Message;
        if (e is ArgumentException { ParamName: { } parameter })
        {
            // .NET appends the parameter name and, for ArgumentOutOfRangeException, the value on a line of its own.
            text = text.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal);
            int newline = text.IndexOf('\n', StringComparison.Ordinal);
            text = newline >= 0 ? text[..newline].TrimEnd() : text;
        }
        string? name = (e as ArgumentException)?.ParamName;
        return Identifier().Replace(text, m => IsCodeName(m.Value, name) && CNames.TryGetValue(m.Value, out var c) ? c : m.Value);
    }

    // Plain words ("rank", "source") are rewritten only where they name the argument at fault; code names
    // (userId, RecoClientOptions.Sync) wherever they appear.
    private static bool IsCodeName(string word, string? parameter) =>
        word == parameter || word.Contains('.', StringComparison.Ordinal) || word.Skip(1).Any(char.IsUpper);

    [GeneratedRegex(@"\b[A-Za-z]+(\.[A-Za-z]+)?\b")]
    private static partial Regex Identifier();
}
