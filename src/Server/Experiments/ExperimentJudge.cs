using System.Globalization;

namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// The decision rule, one place: nothing before the minimum sample; then promote when the always-valid interval of
/// the take-rate difference lies above zero, roll back when it lies below minus the guardrail, continue otherwise.
/// Because the interval holds at every look at once, deciding after every sync keeps the false-positive rate at α
/// (per treatment α/K with K treatments, so that all of them together keep it at α).
/// </summary>
public static class ExperimentJudge
{
    /// <param name="alpha">The comparison's error rate (the experiment's α divided among its treatments); by default the experiment's.</param>
    public static (string Decision, string Reason) Decide(ArmResult control, ArmResult treatment, double sequentialLow, double sequentialHigh,
        ExperimentOptions options, double? alpha = null)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(treatment);
        ArgumentNullException.ThrowIfNull(options);
        if (Math.Min(control.Devices, treatment.Devices) < options.MinDevicesPerArm
            || Math.Min(control.Impressions, treatment.Impressions) < options.MinImpressionsPerArm)
        {
            return (ExperimentBook.Continue, Invariant($"minimum sample not reached ({control.Devices}/{treatment.Devices} devices, {control.Impressions}/{treatment.Impressions} impressions; {options.MinDevicesPerArm} devices and {options.MinImpressionsPerArm} impressions per arm needed)"));
        }
        string interval = Invariant($"always-valid {1 - (alpha ?? options.Alpha):0.###%} interval of the take-rate difference [{sequentialLow:0.00000}, {sequentialHigh:0.00000}]");
        if (sequentialLow > 0)
        {
            return (ExperimentBook.Promote, $"treatment wins: {interval} lies above 0");
        }
        if (sequentialHigh < -options.Guardrail)
        {
            return (ExperimentBook.Rollback, Invariant($"treatment loses beyond the guardrail: {interval} lies below -{options.Guardrail:0.#####}"));
        }
        return (ExperimentBook.Continue, $"no decision yet: {interval}");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
