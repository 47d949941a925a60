using System.Text.Json;
using System.Text.Json.Serialization;
using OnDeviceReco.Feedback;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// An online experiment: the serving version as the control arm, one or more treatments each on its share of devices
/// (the rest stay on the control), and the salt that, with a device's id, places the device
/// (<see cref="ArmAssignment"/>). A fresh salt per experiment keeps one experiment's treatment devices from being
/// the next one's too.
/// </summary>
public sealed record ExperimentDefinition(string Id, string Salt, long ControlVersion, IReadOnlyList<ExperimentTreatment> Treatments,
    string Status, DateTimeOffset StartedAt)
{
    public const string ControlArm = "control";

    /// <summary>The name of the one treatment of an experiment that has one (and of every experiment from before several).</summary>
    public const string TreatmentArm = "treatment";

    public const string Running = "running";
    public const string Promoted = "promoted";
    public const string RolledBack = "rolled_back";
    public const string Superseded = "superseded";

    public bool IsRunning => Status == Running;

    /// <summary>The definition exactly as the store holds it (null for one not stored yet): a decision rewrites it only if it is still that.</summary>
    [JsonIgnore]
    public string? Stored { get; init; }

    /// <summary>The first treatment's version: what a single-treatment experiment's readers (and its JSON) had.</summary>
    public long TreatmentVersion => Treatments[0].Version;

    /// <summary>The first treatment's share, as <see cref="TreatmentVersion"/>.</summary>
    public double TreatmentShare => Treatments[0].Share;

    /// <summary>
    /// The arm <paramref name="deviceId"/> is on, the same on every node and after every restart: its position through
    /// the treatments' cumulative shares, in their order, and the control beyond them. A treatment's status does not
    /// move anyone: a rolled-back treatment's devices stay its own (and return to the serving version, <see cref="ExperimentBook.ArmOf"/>).
    /// </summary>
    public string ArmOf(string deviceId)
    {
        double position = ArmAssignment.Position(deviceId, Salt), upTo = 0;
        foreach (var treatment in Treatments)
        {
            upTo += treatment.Share;
            if (position < upTo)
            {
                return treatment.Name;
            }
        }
        return ControlArm;
    }

    /// <summary>The arm names, the control first.</summary>
    [JsonIgnore]
    public IEnumerable<string> ArmNames => Treatments.Select(t => t.Name).Prepend(ControlArm);

    /// <summary>The treatment named <paramref name="arm"/>, or null (the control, or no such arm).</summary>
    public ExperimentTreatment? Treatment(string arm) => Treatments.FirstOrDefault(t => t.Name == arm);

    /// <summary>The version an arm serves.</summary>
    public long VersionOf(string arm) => Treatment(arm)?.Version ?? ControlVersion;

    /// <summary>What a device on <paramref name="arm"/> is told.</summary>
    public ExperimentArm AssignmentFor(string arm) => new(Id, arm, VersionOf(arm));

    public ExperimentRecord ToRecord() => new(Id, JsonSerializer.Serialize(new StoredDefinition(Salt, ControlVersion, null, null, Treatments)), Status, StartedAt);

    /// <summary>Reads a stored definition; one written before several treatments (one treatment and its share) reads as that one treatment.</summary>
    public static ExperimentDefinition FromRecord(ExperimentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stored = JsonSerializer.Deserialize<StoredDefinition>(record.Definition)
            ?? throw new InvalidOperationException($"Experiment '{record.Id}' has no definition.");
        IReadOnlyList<ExperimentTreatment> treatments = stored.Arms is { Count: > 0 } arms ? arms
            : stored.Treatment is { } version && stored.Share is { } share
                ? [new ExperimentTreatment(TreatmentArm, version, share, SingleArmStatus(record.Status))]
                : throw new InvalidOperationException($"Experiment '{record.Id}' has no treatment.");
        return new ExperimentDefinition(record.Id, stored.Salt, stored.Control, treatments, record.Status, record.StartedAt) { Stored = record.Definition };
    }

    // Before several treatments the experiment's status was its one treatment's.
    private static string SingleArmStatus(string status) => status is Promoted or RolledBack ? status : Running;

    private sealed record StoredDefinition(string Salt, long Control,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Treatment,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Share,
        IReadOnlyList<ExperimentTreatment>? Arms);
}
