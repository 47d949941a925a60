namespace OnDeviceReco;

/// <summary>
/// What the user did with an item. Values 1–10 are built in; 1000–1999 are free for the app
/// (create them with <see cref="EventTypes.AppDefined"/>). Values are stored, so they never change.
/// </summary>
public enum EventType
{
    /// <summary>The item was looked at (a detail page, a hover long enough to count).</summary>
    View = 1,
    /// <summary>The item was clicked or tapped.</summary>
    Click = 2,
    /// <summary>The item was played, watched or used.</summary>
    Play = 3,
    /// <summary>The item was bought.</summary>
    Purchase = 4,
    /// <summary>The item was rated; the event's value holds the rating.</summary>
    Rate = 5,
    /// <summary>Time spent on the item; the event's value holds seconds.</summary>
    Dwell = 6,
    /// <summary>The item was shown to the user (e.g. in a recommendation slot).</summary>
    Impression = 7,
    /// <summary>The user dismissed or hid the item: negative feedback.</summary>
    Dismiss = 8,
    /// <summary>
    /// Another channel: the user searched (in the app's search box, on a web store…). The event's item id holds the
    /// query or the category searched, not an item: it never enters item histories or item popularity; the trainer
    /// learns which items people who searched it chose, and the device's cold-start fallback uses that.
    /// </summary>
    Search = 9,
    /// <summary>Another channel: the user looked at the item in a store (a web shop, a console store page, a shop visit).</summary>
    StoreVisit = 10,
}

/// <summary>Helpers for the event-type ranges.</summary>
public static class EventTypes
{
    /// <summary>First value of the app-defined range.</summary>
    public const int AppDefinedFirst = 1000;

    /// <summary>Last value of the app-defined range.</summary>
    public const int AppDefinedLast = 1999;

    /// <summary>The app-defined event type number <paramref name="number"/> (0–999).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="number"/> is outside 0–999.</exception>
    public static EventType AppDefined(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, AppDefinedLast - AppDefinedFirst);
        return (EventType)(AppDefinedFirst + number);
    }

    /// <summary>True for a built-in type or one inside the app-defined range.</summary>
    public static bool IsValid(EventType type) =>
        type is >= EventType.View and <= EventType.StoreVisit
        || (int)type is >= AppDefinedFirst and <= AppDefinedLast;

    /// <summary>True for events that show interest in the item (everything but impressions, dismissals and searches, whose id is no item).</summary>
    public static bool IsInteraction(EventType type) => IsValid(type) && type is not (EventType.Impression or EventType.Dismiss or EventType.Search);

    /// <summary>The last built-in type.</summary>
    public const int BuiltInLast = (int)EventType.StoreVisit;
}
