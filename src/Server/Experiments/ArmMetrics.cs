using System.Text.Json;
using OnDeviceReco.Feedback;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Experiments;

/// <summary>What one device did on its arm: impressions, how many were taken, answers shown, plays that came of them.</summary>
public readonly record struct DeviceOutcome(string DeviceId, string Arm, long Impressions, long Takes, long Requests, long Plays);

/// <summary>
/// Reads an experiment's synced impressions and outcomes. An impression counts for an arm only when it carries that
/// arm's label (the device ran that arm's model when it showed it) <em>and</em> the server's own assignment puts its
/// device on that arm: a device cannot count for an arm it was not given, whatever it writes in its events. It is
/// taken when the same device and user later clicked, played or bought the item from the same answer (request id)
/// or within the take window.
/// </summary>
public static class ArmMetrics
{
    public static (List<DeviceOutcome> Devices, Dictionary<string, HashSet<string>> ShownItems) Read(IExperimentStore store, ExperimentDefinition experiment,
        TimeSpan takeWindow)
    {
        var devices = new List<DeviceOutcome>();
        var shown = experiment.ArmNames.ToDictionary(arm => arm, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        long windowMs = (long)takeWindow.TotalMilliseconds;
        var since = experiment.StartedAt - takeWindow;
        string? device = null, user = null, arm = null;
        var impressions = new List<(string Item, long Ts, string? Request)>();
        var outcomes = new List<(string Item, long Ts, string? Request, int Type)>();
        long impressionsTotal = 0, takes = 0, plays = 0;
        var requests = new HashSet<string>(StringComparer.Ordinal);

        foreach (var e in store.ReadExperimentEvents(since.ToUnixTimeMilliseconds()))
        {
            if (e.DeviceId != device)
            {
                CloseUser();
                CloseDevice();
                device = e.DeviceId;
                arm = experiment.ArmOf(e.DeviceId);
            }
            else if (e.UserId != user)
            {
                CloseUser();
            }
            user = e.UserId;
            if (e.Type == (int)EventType.Impression)
            {
                if (LabelOf(e.Context) == $"{experiment.Id}/{arm}")
                {
                    impressions.Add((e.ItemId, e.TimestampMs, e.RequestId));
                }
            }
            else
            {
                outcomes.Add((e.ItemId, e.TimestampMs, e.RequestId, e.Type));
            }
        }
        CloseUser();
        CloseDevice();
        return (devices, shown);

        void CloseUser()
        {
            foreach (var (item, ts, request) in impressions)
            {
                impressionsTotal++;
                shown[arm!].Add(item);
                if (request is not null)
                {
                    requests.Add(request);
                }
                bool taken = false, played = false;
                foreach (var o in outcomes)
                {
                    if (o.Item == item && ((request is not null && o.Request == request) || (o.Ts >= ts && o.Ts - ts <= windowMs)))
                    {
                        taken = true;
                        played |= o.Type == (int)EventType.Play;
                    }
                }
                takes += taken ? 1 : 0;
                plays += played ? 1 : 0;
            }
            impressions.Clear();
            outcomes.Clear();
        }

        void CloseDevice()
        {
            if (device is not null && impressionsTotal > 0)
            {
                devices.Add(new DeviceOutcome(device, arm!, impressionsTotal, takes, Math.Max(1, requests.Count), plays));
            }
            impressionsTotal = takes = plays = 0;
            requests.Clear();
        }
    }

    /// <summary>The arm label in a stored context (JSON object of strings), or null.</summary>
    private static string? LabelOf(string? contextJson)
    {
        if (contextJson is null || !contextJson.Contains($"\"{ExperimentArm.ContextKey}\"", StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            var context = JsonSerializer.Deserialize<Dictionary<string, string>>(contextJson);
            return context is not null && context.TryGetValue(ExperimentArm.ContextKey, out var label) ? label : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
