namespace OnDeviceReco;

/// <summary>A new user's answer about an onboarding item; recorded as an ordinary event (RecoClient.RecordOnboardingAnswer).</summary>
public enum OnboardingAnswer
{
    /// <summary>Knows it and likes it: a top rating (<see cref="EventType.Rate"/>, value 5), which the model uses as history at once.</summary>
    Liked = 1,
    /// <summary>Knows it and does not like it: a dismissal (<see cref="EventType.Dismiss"/>); not recommended and its categories count less.</summary>
    Disliked = 2,
    /// <summary>
    /// Does not know it: only an impression (<see cref="EventType.Impression"/>), so it is not asked again; while the
    /// user's history is short, items like it rank lower (not being in a popular item's audience says something of taste).
    /// </summary>
    NotSeen = 3,
}
