namespace OnDeviceReco.Trainer.Privacy;

/// <summary>ε for a δ, with the Rényi order that gave it.</summary>
public readonly record struct EpsilonAtOrder(double Epsilon, double Order);

/// <summary>
/// Rényi-DP accountant for the sampled Gaussian mechanism: each of T steps includes every unit (here: a user) with
/// probability q (Poisson sampling), sums their updates clipped to norm C and adds N(0, σ²C²) noise.
/// <para>RDP per step at order α is log(A_α)/(α − 1) as in Mironov, Talwar &amp; Zhang, "Rényi Differential Privacy of
/// the Sampled Gaussian Mechanism" (2019), §3.3: a finite binomial sum for integer α, two erfc-weighted series for
/// fractional α. Steps compose by adding RDP. (ε, δ) comes from the conversion of Balle et al., "Hypothesis Testing
/// Interpretations and Rényi Differential Privacy" (AISTATS 2020, Thm. 21; also Canonne, Kamath &amp; Steinke 2020,
/// Prop. 12): ε = min over α of RDP(α) + log((α − 1)/α) − (log δ + log α)/(α − 1) — the conversion Opacus and
/// Google's dp_accounting (TF Privacy) use, so its numbers can be checked against theirs.</para>
/// </summary>
public static class RdpAccountant
{
    /// <summary>Opacus's default orders: 1.1, 1.2, …, 10.9, then 12, 13, …, 63.</summary>
    public static IReadOnlyList<double> DefaultOrders { get; } =
        [.. Enumerable.Range(1, 99).Select(x => 1 + x / 10.0), .. Enumerable.Range(12, 52).Select(x => (double)x)];

    /// <summary>RDP of <paramref name="steps"/> steps at each order (may be +∞).</summary>
    public static double[] Rdp(double sampleRate, double noiseMultiplier, long steps, IReadOnlyList<double> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        if (sampleRate is < 0 or > 1 || double.IsNaN(sampleRate))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The sampling rate must be in [0, 1].");
        }
        if (noiseMultiplier < 0 || double.IsNaN(noiseMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "The noise multiplier must not be negative.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        return orders.Select(order => steps == 0 ? 0 : steps * StepRdp(sampleRate, noiseMultiplier, order)).ToArray();
    }

    /// <summary>The smallest ε over the orders for which the RDP curve gives (ε, δ)-DP.</summary>
    public static EpsilonAtOrder Epsilon(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(rdp);
        if (orders.Count != rdp.Count || orders.Count == 0)
        {
            throw new ArgumentException("Orders and RDP values must be equally many, and at least one.", nameof(rdp));
        }
        if (delta is <= 0 or >= 1 || double.IsNaN(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1).");
        }
        var best = new EpsilonAtOrder(double.PositiveInfinity, double.NaN);
        for (int i = 0; i < orders.Count; i++)
        {
            double alpha = orders[i];
            if (alpha <= 1 || double.IsInfinity(alpha))
            {
                continue; // the conversion needs 1 < α < ∞
            }
            // When δ² > 1 − e^(−RDP) the KL bound δ ≤ √(1 − e^(−KL)) already gives ε = 0 (as dp_accounting does);
            // otherwise the conversion of Balle et al.
            double epsilon = delta * delta + ExpMinusOne(-rdp[i]) > 0 ? 0
                : rdp[i] + Math.Log((alpha - 1) / alpha) - (Math.Log(delta) + Math.Log(alpha)) / (alpha - 1);
            if (epsilon < best.Epsilon)
            {
                best = new EpsilonAtOrder(epsilon, alpha);
            }
        }
        return best with { Epsilon = Math.Max(0, best.Epsilon) };
    }

    /// <summary>ε after <paramref name="steps"/> steps at <paramref name="delta"/>, over <see cref="DefaultOrders"/> unless given.</summary>
    public static EpsilonAtOrder Epsilon(double sampleRate, double noiseMultiplier, long steps, double delta, IReadOnlyList<double>? orders = null)
    {
        orders ??= DefaultOrders;
        return Epsilon(orders, Rdp(sampleRate, noiseMultiplier, steps, orders), delta);
    }

    /// <summary>
    /// The smallest noise multiplier (to a relative 1e-4) whose ε after <paramref name="steps"/> steps is at most
    /// <paramref name="targetEpsilon"/>: ε falls as σ grows, so σ is bracketed by doubling and then bisected, and the
    /// upper end — the side that keeps the promise — is returned.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When even σ = 10⁶ cannot reach the target (a target of 0, say).</exception>
    public static double NoiseMultiplier(double targetEpsilon, double delta, double sampleRate, long steps, IReadOnlyList<double>? orders = null)
    {
        if (!(targetEpsilon > 0) || double.IsInfinity(targetEpsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon, "The target ε must be a positive number.");
        }
        double Spent(double sigma) => Epsilon(sampleRate, sigma, steps, delta, orders).Epsilon;
        double low = 0, high = 1;
        while (Spent(high) > targetEpsilon)
        {
            low = high;
            high *= 2;
            if (high > 1e6)
            {
                throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon,
                    $"No noise multiplier up to 10⁶ reaches ε = {targetEpsilon} at δ = {delta} in {steps} steps.");
            }
        }
        while (high - low > 1e-4 * high)
        {
            double middle = (low + high) / 2;
            if (Spent(middle) > targetEpsilon)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
        return high;
    }

    private static double StepRdp(double q, double sigma, double alpha)
    {
        if (q == 0)
        {
            return 0;
        }
        if (sigma == 0 || double.IsPositiveInfinity(alpha))
        {
            return double.PositiveInfinity;
        }
        if (q == 1)
        {
            return alpha / (2 * sigma * sigma);
        }
        return LogA(q, sigma, alpha) / (alpha - 1);
    }

    private static double LogA(double q, double sigma, double alpha) =>
        alpha == Math.Floor(alpha) ? LogAInteger(q, sigma, (int)alpha) : LogAFractional(q, sigma, alpha);

    /// <summary>log A_α = log Σᵢ C(α, i) qⁱ (1 − q)^(α−i) exp((i² − i)/(2σ²)) for integer α.</summary>
    private static double LogAInteger(double q, double sigma, int alpha)
    {
        double logA = double.NegativeInfinity, logBinomial = 0;
        for (int i = 0; i <= alpha; i++)
        {
            if (i > 0)
            {
                logBinomial += Math.Log(alpha - i + 1) - Math.Log(i);
            }
            double term = logBinomial + i * Math.Log(q) + (alpha - i) * Math.Log(1 - q) + (i * (double)i - i) / (2 * sigma * sigma);
            logA = LogAdd(logA, term);
        }
        return logA;
    }

    /// <summary>
    /// log A_α for fractional α: the integral split at z₀ = σ² log(1/q − 1) + ½ into two series over i (binomial
    /// coefficients of a fractional α change sign), summed until both terms fall below e⁻³⁰.
    /// </summary>
    private static double LogAFractional(double q, double sigma, double alpha)
    {
        double logA0 = double.NegativeInfinity, logA1 = double.NegativeInfinity;
        double z0 = sigma * sigma * Math.Log(1 / q - 1) + 0.5;
        double logBinomial = 0; // log |C(α, i)|
        bool positive = true;    // sign of C(α, i)
        for (int i = 0; ; i++)
        {
            if (i > 0)
            {
                double factor = (alpha - i + 1) / i;
                logBinomial += Math.Log(Math.Abs(factor));
                positive ^= factor < 0;
            }
            double j = alpha - i;
            double logT0 = logBinomial + i * Math.Log(q) + j * Math.Log(1 - q);
            double logT1 = logBinomial + j * Math.Log(q) + i * Math.Log(1 - q);
            double logE0 = Math.Log(0.5) + LogErfc.Of((i - z0) / (Math.Sqrt(2) * sigma));
            double logE1 = Math.Log(0.5) + LogErfc.Of((z0 - j) / (Math.Sqrt(2) * sigma));
            double logS0 = logT0 + (i * (double)i - i) / (2 * sigma * sigma) + logE0;
            double logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
            if (positive)
            {
                logA0 = LogAdd(logA0, logS0);
                logA1 = LogAdd(logA1, logS1);
            }
            else
            {
                logA0 = LogSubtract(logA0, logS0);
                logA1 = LogSubtract(logA1, logS1);
            }
            if (Math.Max(logS0, logS1) < -30)
            {
                break;
            }
        }
        return LogAdd(logA0, logA1);
    }

    private static double LogAdd(double x, double y)
    {
        double a = Math.Min(x, y), b = Math.Max(x, y);
        return double.IsNegativeInfinity(a) ? b : LogOnePlus(Math.Exp(a - b)) + b;
    }

    private static double LogSubtract(double x, double y)
    {
        if (x < y)
        {
            throw new ArithmeticException("The RDP series went negative: the sampling rate or noise multiplier is outside what the series handles.");
        }
        if (double.IsNegativeInfinity(y))
        {
            return x;
        }
        if (x == y)
        {
            return double.NegativeInfinity;
        }
        double difference = ExpMinusOne(x - y);
        return double.IsPositiveInfinity(difference) ? x : Math.Log(difference) + y;
    }

    /// <summary>log(1 + u), exact to rounding for small u (Goldberg's correction; .NET's LogP1 is log(u + 1)).</summary>
    private static double LogOnePlus(double u)
    {
        double y = 1 + u;
        return y == 1 ? u : Math.Log(y) * u / (y - 1);
    }

    /// <summary>eᵛ − 1, exact to rounding for small v (Kahan's correction).</summary>
    private static double ExpMinusOne(double v)
    {
        double u = Math.Exp(v);
        if (u == 1)
        {
            return v;
        }
        double m = u - 1;
        return m == -1 || double.IsPositiveInfinity(u) ? m : m * v / Math.Log(u);
    }
}
