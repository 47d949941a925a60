namespace OnDeviceReco.Server.Experiments;

/// <summary>
/// A per-device ratio (takes per impression, plays per request) and the uncertainty of an arm's value and of the
/// difference between arms. Devices, not impressions, are the independent units: one device's impressions are
/// correlated (the same player, the same model answers), so the variance is the delta method's for a ratio of
/// sums over devices.
/// </summary>
public static class RatioStatistics
{
    /// <summary>z for a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// Σ numerator / Σ denominator over devices and the delta-method variance of that ratio:
    /// Σ (numᵢ − R·denᵢ)² / ((m − 1) · m · mean(den)²). Infinite with fewer than two devices.
    /// </summary>
    public static (double Ratio, double Variance) Ratio(IReadOnlyList<(double Numerator, double Denominator)> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        double numerator = 0, denominator = 0;
        foreach (var (n, d) in devices)
        {
            numerator += n;
            denominator += d;
        }
        int m = devices.Count;
        if (m < 2 || denominator <= 0)
        {
            return (denominator > 0 ? numerator / denominator : 0, double.PositiveInfinity);
        }
        double ratio = numerator / denominator;
        double meanDenominator = denominator / m, squares = 0;
        foreach (var (n, d) in devices)
        {
            double residual = n - ratio * d;
            squares += residual * residual;
        }
        return (ratio, squares / (m - 1) / (m * meanDenominator * meanDenominator));
    }

    /// <summary>The fixed-sample 95 % interval of a difference with variance <paramref name="variance"/>.</summary>
    public static (double Low, double High) Interval95(double difference, double variance)
    {
        double half = Z95 * Math.Sqrt(variance);
        return (difference - half, difference + half);
    }

    /// <summary>
    /// The always-valid (1 − <paramref name="alpha"/>) confidence sequence of a difference: the mSPRT with a normal
    /// mixture of scale τ = <paramref name="mixingScale"/> (Johari et al., "Always valid inference"), inverted:
    /// d ± √( V (V + τ²) / τ² · ln((V + τ²) / (V α²)) ). It holds at every look at once, so checking it after every
    /// sync keeps the error rate at α.
    /// </summary>
    public static (double Low, double High) AlwaysValid(double difference, double variance, double alpha, double mixingScale)
    {
        if (!double.IsFinite(variance) || variance <= 0)
        {
            return double.IsFinite(variance) ? (difference, difference) : (double.NegativeInfinity, double.PositiveInfinity);
        }
        double tau2 = mixingScale * mixingScale;
        double half = Math.Sqrt(variance * (variance + tau2) / tau2 * Math.Log((variance + tau2) / (variance * alpha * alpha)));
        return (difference - half, difference + half);
    }
}
