namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// The experiment arm the server assigned a device: which experiment, which arm, and the model version that arm
/// serves. Names are short plain tokens (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>), so the label
/// <c>experiment/arm</c> that impressions carry can be split back without ambiguity.
/// </summary>
/// <param name="Experiment">The experiment's id, e.g. <c>v2-vs-v1</c>.</param>
/// <param name="Arm">The arm's name, e.g. <c>control</c> or <c>treatment</c>.</param>
/// <param name="ModelVersion">The version the arm serves.</param>
public sealed record ExperimentArm(string Experiment, string Arm, long ModelVersion)
{
    /// <summary>Longest experiment id or arm name, in characters (all ASCII).</summary>
    public const int MaxNameLength = 64;

    /// <summary>Context key under which impressions carry <see cref="Label"/>.</summary>
    public const string ContextKey = "arm";

    /// <summary>Request header by which a device says it reads the arm in a model release (older devices never send it).</summary>
    public const string RequestHeader = "X-Experiments";

    /// <summary><c>experiment/arm</c>: what impressions carry and logs show.</summary>
    public string Label => $"{Experiment}/{Arm}";

    /// <summary>True for 1–64 characters of <c>A–Z a–z 0–9 . _ -</c>.</summary>
    public static bool IsName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>Splits a label back into experiment and arm; false for anything that is not two names around one '/'.</summary>
    public static bool TryParseLabel(string? label, out string experiment, out string arm)
    {
        experiment = arm = "";
        int slash = label?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash < 0 || !IsName(label![..slash]) || !IsName(label[(slash + 1)..]))
        {
            return false;
        }
        (experiment, arm) = (label[..slash], label[(slash + 1)..]);
        return true;
    }
}
