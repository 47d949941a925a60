namespace OnDeviceReco.Trainer.Privacy;

/// <summary>
/// log(erfc(x)) for any finite x, accurate where erfc itself underflows (x above ~26): the sampled Gaussian
/// mechanism's RDP at fractional orders sums terms whose size is an erfc tail. .NET has no erfc, so it is computed
/// here: for |x| &lt; 2 from erf's series in which every term is positive (no cancellation), beyond that from the
/// continued fraction of erfc, kept in log form.
/// </summary>
internal static class LogErfc
{
    private const double SeriesLimit = 2.0;
    private static readonly double LogSqrtPi = 0.5 * Math.Log(Math.PI);

    public static double Of(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }
        if (x >= SeriesLimit)
        {
            return LogTail(x);
        }
        if (x >= 0)
        {
            return Math.Log(1 - Erf(x));
        }
        // erfc(x) = 2 − erfc(−x) ∈ (1, 2] for negative x.
        double mirrored = -x >= SeriesLimit ? Math.Exp(LogTail(-x)) : 1 - Erf(-x);
        return Math.Log(2 - mirrored);
    }

    /// <summary>erf(x) for 0 ≤ x &lt; 2: (2/√π)·e^(−x²)·Σ (2x²)ⁿ·x / (1·3·…·(2n+1)), every term positive.</summary>
    private static double Erf(double x)
    {
        double square = x * x;
        double term = x, sum = x;
        for (int n = 1; n < 200; n++)
        {
            term *= 2 * square / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }
        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-square) * sum;
    }

    /// <summary>
    /// log erfc(x) for x ≥ 2: −x² − log √π + log K, K = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated with the
    /// modified Lentz method.
    /// </summary>
    private static double LogTail(double x)
    {
        const double Tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 5000; n++)
        {
            double a = n / 2.0;
            d = x + a * d;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = x + a / c;
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }
        return -x * x - LogSqrtPi - Math.Log(f);
    }
}
