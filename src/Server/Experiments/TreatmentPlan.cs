namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// A treatment an experiment is to try: a published version (or <see cref="ToPublish"/>, the version published with
/// the experiment), its share of devices, and its arm's name (by default <c>treatment</c> for a lone treatment,
/// <c>treatment-1</c>, <c>treatment-2</c>, … for several).
/// </summary>
public sealed record TreatmentPlan(long Version, double Share, string? Name = null)
{
    /// <summary>The version being published together with the experiment (a retrained version, a popularity version).</summary>
    public const long ToPublish = 0;
}
