namespace OnDeviceReco.Ranking;

/// <summary>Words for "because you …" explanations.</summary>
internal static class Explanations
{
    public static string Verb(EventType type) => type switch
    {
        EventType.View => "viewed",
        EventType.Click => "opened",
        EventType.Play => "played",
        EventType.Purchase => "bought",
        EventType.Rate => "rated",
        EventType.Dwell => "spent time on",
        _ => "chose",
    };
}
