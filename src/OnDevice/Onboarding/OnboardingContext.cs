namespace OnDeviceReco.Onboarding;

/// <summary>
/// How an onboarding answer is stored: an ordinary event (see <see cref="OnboardingAnswer"/> for which) carrying the
/// context <c>onboarding=&lt;answer&gt;</c>, which tells an answer from an ordinary event of the same type, so ranking
/// can find the answers again (<see cref="Ranking.NotSeenEvidence"/>).
/// </summary>
internal static class OnboardingContext
{
    public const string Key = "onboarding";

    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="answer"/> is not an <see cref="OnboardingAnswer"/>.</exception>
    public static (EventType Type, double Value) EventOf(OnboardingAnswer answer) => answer switch
    {
        OnboardingAnswer.Liked => (EventType.Rate, 5.0),
        OnboardingAnswer.Disliked => (EventType.Dismiss, 0.0),
        OnboardingAnswer.NotSeen => (EventType.Impression, 0.0),
        _ => throw new ArgumentOutOfRangeException(nameof(answer), answer, "Unknown onboarding answer."),
    };

    public static Dictionary<string, string> Of(OnboardingAnswer answer) =>
        new(StringComparer.Ordinal) { [Key] = answer.ToString().ToLowerInvariant() };

    /// <summary>The context exactly as the store holds it for <paramref name="answer"/> (a one-key map serialises one way).</summary>
    public static string Stored(OnboardingAnswer answer) => TextMap.Serialize(Of(answer))!;
}
