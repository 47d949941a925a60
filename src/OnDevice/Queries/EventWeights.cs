namespace OnDeviceReco;

/// <summary>
/// How strongly each event type signals preference. A purchase says more than a view; a dismissal says
/// "less of this"; ratings are centred on 3 of 5 so a poor rating counts against the item's categories.
/// </summary>
internal static class EventWeights
{
    public static double Of(EventType type, double value) => type switch
    {
        EventType.View => 1.0,
        EventType.Click => 1.5,
        EventType.Play => 2.0,
        EventType.Purchase => 4.0,
        EventType.Rate => Math.Clamp(value, 0, 5) - 2.5,
        EventType.Dwell => Math.Min(Math.Max(value, 0) / 60.0, 3.0),
        EventType.Impression => 0.0,
        EventType.Dismiss => -1.0,
        EventType.Search => 0.0, // its id is a query, not an item: the cold-start fallback uses it instead
        EventType.StoreVisit => 1.0,
        _ => 1.0,
    };
}
