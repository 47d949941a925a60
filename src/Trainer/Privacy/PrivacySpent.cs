using System.Globalization;

namespace OnDeviceReco.Trainer.Privacy;

/// <summary>
/// What a user-level DP training run promised and spent: (ε, δ) after the steps actually taken (a run the time budget
/// ended early spends less than planned), with the mechanism's parameters so anyone can recompute it.
/// </summary>
/// <param name="Epsilon">ε spent, at <paramref name="Delta"/>, by <see cref="RdpAccountant"/> over its default orders.</param>
/// <param name="PlannedEpsilon">ε the planned steps would have spent (the target when σ was calibrated).</param>
/// <param name="ClippedShare">Share of user updates whose norm was above C (and so were scaled down).</param>
public sealed record PrivacySpent(double Epsilon, double Delta, double ClipNorm, double NoiseMultiplier, double SampleRate,
    long Steps, long PlannedSteps, int Users, double PlannedEpsilon, double ClippedShare)
{
    /// <summary>The numbers as reports and the signed manifest's metrics name them.</summary>
    public IReadOnlyDictionary<string, double> Metrics() => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["dp_epsilon"] = Epsilon,
        ["dp_delta"] = Delta,
        ["dp_clip_norm"] = ClipNorm,
        ["dp_noise_multiplier"] = NoiseMultiplier,
        ["dp_sample_rate"] = SampleRate,
        ["dp_steps"] = Steps,
        ["dp_users"] = Users,
    };

    /// <summary>"user-level (ε = 7.98, δ = 1.5e-3), σ = 0.71, C = 1, q = 0.38, 120 steps".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"user-level (ε = {Epsilon:0.###}, δ = {Delta:0.###e0}), σ = {NoiseMultiplier:0.####}, C = {ClipNorm:0.###}, q = {SampleRate:0.####}, {Steps} of {PlannedSteps} steps, {Users} users, {ClippedShare:P0} of updates clipped");
}
