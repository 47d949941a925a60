namespace OnDeviceReco.Server.Experiments;

/// <summary>One arm's online metrics, from synced impressions and outcomes only.</summary>
/// <param name="TakeRate">Taken impressions ÷ impressions, over the arm's devices.</param>
/// <param name="TakeRateStdError">Its standard error, by the delta method over devices.</param>
/// <param name="PlaysPerRequest">Impressions taken with a play ÷ answers shown.</param>
/// <param name="Coverage">Distinct items shown ÷ items in the arm's model.</param>
public sealed record ArmResult(string Arm, long Version, int Devices, long Impressions, long Takes, long Requests, long Plays, int ItemsShown,
    double TakeRate, double TakeRateStdError, double PlaysPerRequest, double Coverage);

/// <summary>An experiment's state at one look: both arms, the take-rate difference with its intervals, and the decision.</summary>
/// <param name="Difference">Treatment minus control take rate.</param>
/// <param name="Ci95Low">Fixed-sample 95 % interval (delta method over devices): what to report at a planned end.</param>
/// <param name="SequentialLow">Always-valid interval (mSPRT): what decisions use, valid at every look.</param>
public sealed record ExperimentEvaluation(string ExperimentId, DateTimeOffset At, ArmResult Control, ArmResult Treatment, double Difference,
    double Ci95Low, double Ci95High, double SequentialLow, double SequentialHigh, string Decision, string Reason);
