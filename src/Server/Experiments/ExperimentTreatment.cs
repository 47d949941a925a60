using System.Text.Json.Serialization;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// One treatment arm of an experiment: its name (what devices' impressions carry after the experiment id), the
/// version it serves, its share of devices, and where it stands on its own — a losing treatment is rolled back alone
/// while the others go on.
/// </summary>
public sealed record ExperimentTreatment(string Name, long Version, double Share, string Status = ExperimentDefinition.Running)
{
    [JsonIgnore]
    public bool IsRunning => Status == ExperimentDefinition.Running;
}
