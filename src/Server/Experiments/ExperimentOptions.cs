namespace OnDeviceReco.Server.Experiments;

/// <summary>Settings under <c>Reco:Experiments</c>.</summary>
public sealed class ExperimentOptions
{
    /// <summary>
    /// Share of devices a newly published version is tried on (the rest keep the serving version) until the experiment
    /// decides; 0 serves every new version to everyone at once.
    /// </summary>
    public double NewVersionShare { get; set; } = 0.1;

    /// <summary>How often running experiments are evaluated and decided.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Error rate of the sequential test, over all the looks it ever takes.</summary>
    public double Alpha { get; set; } = 0.05;

    /// <summary>
    /// Scale of the take-rate difference the sequential test is tuned to find (the standard deviation of its normal
    /// mixture): near the effect expected, it decides soonest; any value keeps the error rate.
    /// </summary>
    public double MixingScale { get; set; } = 0.01;

    /// <summary>No decision before every arm has this many devices with impressions.</summary>
    public int MinDevicesPerArm { get; set; } = 100;

    /// <summary>No decision before every arm has this many impressions.</summary>
    public int MinImpressionsPerArm { get; set; } = 1_000;

    /// <summary>
    /// Loss of take rate (absolute) the treatment may have before it is rolled back: it is rolled back once the
    /// interval lies wholly below minus this.
    /// </summary>
    public double Guardrail { get; set; }

    /// <summary>An impression counts as taken when the same user clicks, plays or buys the item within this time (or from the same answer).</summary>
    public TimeSpan TakeWindow { get; set; } = TimeSpan.FromHours(24);

    public void Validate()
    {
        if (NewVersionShare is < 0 or > 0.5 || EvaluationInterval <= TimeSpan.Zero || Alpha is <= 0 or >= 1 || MixingScale <= 0
            || MinDevicesPerArm < 2 || MinImpressionsPerArm < 0 || Guardrail < 0 || TakeWindow <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Reco:Experiments has a value out of range (NewVersionShare 0–0.5, Alpha in (0, 1), MinDevicesPerArm ≥ 2; "
                + "EvaluationInterval, MixingScale and TakeWindow positive; Guardrail and MinImpressionsPerArm ≥ 0).");
        }
    }
}
