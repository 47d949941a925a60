namespace OnDeviceReco.Server.Experiments;

/// <summary>One arm's online metrics, from synced impressions and outcomes only.</summary>
/// <param name="TakeRate">Taken impressions ÷ impressions, over the arm's devices.</param>
/// <param name="TakeRateStdError">Its standard error, by the delta method over devices.</param>
/// <param name="PlaysPerRequest">Impressions taken with a play ÷ answers shown.</param>
/// <param name="Coverage">Distinct items shown ÷ items in the arm's model.</param>
public sealed record ArmResult(string Arm, long Version, int Devices, long Impressions, long Takes, long Requests, long Plays, int ItemsShown,
    double TakeRate, double TakeRateStdError, double PlaysPerRequest, double Coverage);

/// <summary>One treatment against the control at one look: the take-rate difference with its intervals, and what the test says of it.</summary>
/// <param name="Difference">Treatment minus control take rate.</param>
/// <param name="Ci95Low">Fixed-sample 95 % interval (delta method over devices): what to report at a planned end.</param>
/// <param name="SequentialLow">Always-valid interval (mSPRT) at level 1 − <paramref name="Alpha"/>: what decisions use, valid at every look.</param>
/// <param name="Alpha">This comparison's error rate: the experiment's α divided among its treatments (Bonferroni).</param>
/// <param name="Decision">What the test says of this treatment (or, once decided, where it stands).</param>
public sealed record ArmComparison(ArmResult Treatment, double Difference, double Ci95Low, double Ci95High, double SequentialLow, double SequentialHigh,
    double Alpha, string Decision, string Reason);

/// <summary>
/// An experiment's state at one look: the control, each treatment against it, and the experiment's decision. The
/// first treatment's comparison is also given flat (<see cref="Treatment"/>, <see cref="Difference"/>, …), as a
/// single-treatment experiment's look always was.
/// </summary>
public sealed record ExperimentEvaluation(string ExperimentId, DateTimeOffset At, ArmResult Control, IReadOnlyList<ArmComparison> Comparisons,
    string Decision, string Reason)
{
    public ArmResult Treatment => Comparisons[0].Treatment;

    public double Difference => Comparisons[0].Difference;

    public double Ci95Low => Comparisons[0].Ci95Low;

    public double Ci95High => Comparisons[0].Ci95High;

    public double SequentialLow => Comparisons[0].SequentialLow;

    public double SequentialHigh => Comparisons[0].SequentialHigh;
}
