using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco;

/// <summary>
/// Which fields of an event leave the device at sync (data minimisation). Every event always carries what training
/// needs: user, item, type and its place in the device's order (sequence). The rest is the app's choice; the default
/// (<see cref="Minimal"/>) sends the least the server uses: no value, the time to the hour, and of the context only
/// the keys that link feedback to the answer that showed it and to the experiment arm the device was on
/// (<c>request_id</c>, <c>arm</c>). The device keeps every field of every event whatever is chosen here.
/// </summary>
public sealed record SyncedFields
{
    /// <summary>The default: context keys <c>request_id</c> and <c>arm</c> only, no value, time to the hour.</summary>
    public static SyncedFields Minimal { get; } = new();

    /// <summary>Every field as tracked: the whole context, the value and the exact time.</summary>
    public static SyncedFields All { get; } = new() { Context = SyncedContext.All, Value = true, Time = TimePrecision.Exact };

    /// <summary>Which context keys are sent. Default <see cref="SyncedContext.Linking"/>.</summary>
    public SyncedContext Context { get; init; } = SyncedContext.Linking;

    /// <summary>Whether the event's value (rating, dwell seconds, price…) is sent; 0 is sent instead when not. Default false.</summary>
    public bool Value { get; init; }

    /// <summary>How precisely the event's time is sent: rounded down to this unit in UTC. Default <see cref="TimePrecision.Hour"/>.</summary>
    public TimePrecision Time { get; init; } = TimePrecision.Hour;

    /// <summary>The context keys <see cref="SyncedContext.Linking"/> keeps: what the server reads of a context.</summary>
    public static IReadOnlyList<string> LinkingKeys { get; } = [WireEvent.RequestIdKey, ExperimentArm.ContextKey];

    internal void Validate()
    {
        if (!Enum.IsDefined(Context))
        {
            throw new ArgumentOutOfRangeException(nameof(Context), Context, "Unknown SyncedContext.");
        }
        if (!Enum.IsDefined(Time))
        {
            throw new ArgumentOutOfRangeException(nameof(Time), Time, "Unknown TimePrecision.");
        }
    }

    /// <summary>The event as it is sent.</summary>
    internal WireEvent ToWire(BehaviorEvent e) => new(
        e.Sequence, Round(e.Timestamp.ToUnixTimeMilliseconds()), e.UserId, e.ItemId, (int)e.Type, Value ? e.Value : 0, Filter(e.Context));

    /// <summary>Rounds <paramref name="unixMs"/> down to a whole <see cref="Time"/> unit (UTC).</summary>
    internal long Round(long unixMs)
    {
        long unit = Time switch
        {
            TimePrecision.Second => 1_000,
            TimePrecision.Minute => 60_000,
            TimePrecision.Hour => 3_600_000,
            TimePrecision.Day => 86_400_000,
            _ => 1,
        };
        return unixMs - (((unixMs % unit) + unit) % unit);
    }

    private IReadOnlyDictionary<string, string> Filter(IReadOnlyDictionary<string, string> context)
    {
        if (Context == SyncedContext.All || context.Count == 0)
        {
            return context;
        }
        if (Context == SyncedContext.None)
        {
            return WireEvent.NoContext;
        }
        Dictionary<string, string>? kept = null;
        foreach (string key in LinkingKeys)
        {
            if (context.TryGetValue(key, out var value))
            {
                (kept ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
            }
        }
        return kept ?? WireEvent.NoContext;
    }
}

/// <summary>Which keys of an event's context leave the device at sync.</summary>
public enum SyncedContext
{
    /// <summary>No context at all: experiments cannot tell which arm an impression was shown on, nor link a click to its answer.</summary>
    None = 1,
    /// <summary>Only <c>request_id</c> (links feedback to the answer that showed the item) and <c>arm</c> (the experiment arm): what the server reads.</summary>
    Linking = 2,
    /// <summary>Every key, the app's own (screen, placement…) and the SDK's (rank, source, onboarding) included.</summary>
    All = 3,
}

/// <summary>How precisely an event's time leaves the device: rounded down to the unit, in UTC.</summary>
public enum TimePrecision
{
    /// <summary>To the millisecond, as tracked.</summary>
    Exact = 1,
    /// <summary>To the second.</summary>
    Second = 2,
    /// <summary>To the minute.</summary>
    Minute = 3,
    /// <summary>To the hour.</summary>
    Hour = 4,
    /// <summary>To the day (UTC midnight).</summary>
    Day = 5,
}
