using System.Globalization;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco;

// The experiment arm the server put this device on. It is kept with the store so a restarted app labels its
// impressions at once, and it holds only while the model loaded is the arm's own version: a device that runs any
// other model is on no arm, and its impressions say so.
public sealed partial class RecoClient
{
    private const string ArmStateKey = "experiment_arm";
    private ExperimentArm? _arm;

    /// <summary>
    /// The experiment arm this device is on (experiment id, arm name, the version it serves) for as long as that
    /// version is the loaded model; null when the server runs no experiment, the server predates experiments, or
    /// another model is loaded. Apps may log it; impressions carry it to the server (context key <c>arm</c>).
    /// </summary>
    public ExperimentArm? Arm => Volatile.Read(ref _arm) is { } arm && arm.ModelVersion == Model?.ModelVersion ? arm : null;

    /// <summary>Takes what the server said at this sync (null: no arm) and keeps it with the store.</summary>
    private void RememberArm(ExperimentArm? arm)
    {
        if (Equals(Volatile.Read(ref _arm), arm))
        {
            return;
        }
        Volatile.Write(ref _arm, arm);
        _store.SetState(ArmStateKey, arm is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{arm.ModelVersion} {arm.Label}"));
    }

    /// <summary>The arm an earlier sync kept, if it is well formed; <see cref="Arm"/> still checks it against the loaded model.</summary>
    private void LoadKeptArm()
    {
        string? kept = _store.GetState(ArmStateKey);
        int space = kept?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
        if (space > 0 && long.TryParse(kept![..space], NumberStyles.None, CultureInfo.InvariantCulture, out long version) && version >= 1
            && ExperimentArm.TryParseLabel(kept[(space + 1)..], out string experiment, out string arm))
        {
            Volatile.Write(ref _arm, new ExperimentArm(experiment, arm, version));
        }
    }

    /// <summary>The feedback context with the arm's label added when the device is on one.</summary>
    private Dictionary<string, string> WithArm(Dictionary<string, string> context)
    {
        if (Arm is { } arm)
        {
            context[ExperimentArm.ContextKey] = arm.Label;
        }
        return context;
    }
}
