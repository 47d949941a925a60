using System.Text.Json;
using OnDeviceReco.Feedback;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// An online experiment: the serving version as the control arm, one treatment version on
/// <paramref name="TreatmentShare"/> of devices, and the salt that, with a device's id, places the device
/// (<see cref="ArmAssignment"/>). A fresh salt per experiment keeps one experiment's treatment devices from being
/// the next one's too.
/// </summary>
public sealed record ExperimentDefinition(string Id, string Salt, long ControlVersion, long TreatmentVersion, double TreatmentShare,
    string Status, DateTimeOffset StartedAt)
{
    public const string ControlArm = "control";
    public const string TreatmentArm = "treatment";

    public const string Running = "running";
    public const string Promoted = "promoted";
    public const string RolledBack = "rolled_back";
    public const string Superseded = "superseded";

    public bool IsRunning => Status == Running;

    /// <summary>The arm <paramref name="deviceId"/> is on, the same on every node and after every restart.</summary>
    public string ArmOf(string deviceId) => ArmAssignment.Position(deviceId, Salt) < TreatmentShare ? TreatmentArm : ControlArm;

    /// <summary>The version an arm serves.</summary>
    public long VersionOf(string arm) => arm == TreatmentArm ? TreatmentVersion : ControlVersion;

    /// <summary>What a device on <paramref name="arm"/> is told.</summary>
    public ExperimentArm AssignmentFor(string arm) => new(Id, arm, VersionOf(arm));

    public ExperimentRecord ToRecord() => new(Id, JsonSerializer.Serialize(new StoredDefinition(Salt, ControlVersion, TreatmentVersion, TreatmentShare)),
        Status, StartedAt);

    public static ExperimentDefinition FromRecord(ExperimentRecord record)
    {
        var stored = JsonSerializer.Deserialize<StoredDefinition>(record.Definition)
            ?? throw new InvalidOperationException($"Experiment '{record.Id}' has no definition.");
        return new ExperimentDefinition(record.Id, stored.Salt, stored.Control, stored.Treatment, stored.Share, record.Status, record.StartedAt);
    }

    private sealed record StoredDefinition(string Salt, long Control, long Treatment, double Share);
}
