using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

// TEMPORARY (onboard-v3 experiments): knobs read from the environment; removed before shipping.
internal static class ShortHistoryExperiment
{
    private static double D(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : fallback;

    public static readonly double Beta = D("OB_BETA", 0);
    public static readonly double Gamma = D("OB_GAMMA", 0);
    public static readonly double Delta = D("OB_DELTA", 0);
    public static readonly int MaxHistory = (int)D("OB_MAXHIST", 5);
    public static readonly bool DislikedHistory = D("OB_DISLIKED_HISTORY", 0) > 0;
    public static readonly bool ZeroFallback = D("OB_ZERO", 0) > 0;
    public static readonly int ZeroPool = (int)D("OB_ZERO_POOL", 200);

    public static bool Active => Beta != 0 || Gamma != 0 || Delta != 0 || ZeroFallback;

    public static double MaxSim(LoadedModel model, int index, IReadOnlyList<int> others)
    {
        double best = 0;
        foreach (int o in others)
        {
            best = Math.Max(best, model.Similarity(index, o));
        }
        return best;
    }
}
