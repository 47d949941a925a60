namespace OnDeviceReco.Ranking;

/// <summary>
/// A random number fixed by a user and an item: the same on every call and in every process (string hashes in
/// .NET are randomised per process), independent between users. Lets each device draw its own optimism about an
/// item without a random source that would make recommendations unrepeatable.
/// </summary>
internal static class SeededDraw
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;
    private const double Ln2 = 0.6931471805599453;

    /// <summary>
    /// The draws of one user. The user's part of the hash is taken once, not again for each of the thousands of
    /// items exploration scores in one call: FNV runs left to right, so that prefix state is all an item needs.
    /// </summary>
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    public static UserDraws ForUser(string userId) => new((Fnv(FnvOffset, userId) ^ '\n') * FnvPrime);

    /// <summary>One user's draws (see <see cref="ForUser"/>).</summary>
    internal readonly struct UserDraws(ulong userHash)
    {
        /// <summary>An exponential draw with mean 1: never negative, so scaling a bonus by it keeps the bonus a bonus.</summary>
        public double Exponential(string itemId) => -Math.Log(Uniform(itemId));

        /// <summary>The uniform number in (0, 1] the exponential draw is <c>−ln</c> of.</summary>
        public double Uniform(string itemId)
        {
            ulong hash = Mix(Fnv(userHash, itemId));
            return ((hash >> 11) + 1) / 9007199254740992.0; // 53 bits, in (0, 1]
        }

        /// <summary>
        /// A number never below <c>−ln(<paramref name="uniform"/>)</c>, with no logarithm taken: for u = m·2^E (1 ≤ m &lt; 2),
        /// −ln u = −(E + log₂ m)·ln 2 and log₂ m ≥ m − 1. Lets a caller skip the logarithm for a draw too small to matter.
        /// </summary>
        public static double ExponentialAtMost(double uniform)
        {
            long bits = BitConverter.DoubleToInt64Bits(uniform);
            int exponent = (int)((bits >> 52) & 0x7FF) - 1023;
            double mantissa = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
            // The margin covers the rounding of this bound and of Math.Log, which it is compared against.
            return -(exponent + (mantissa - 1)) * Ln2 + 1e-6;
        }
    }

    private static ulong Fnv(ulong hash, string text)
    {
        foreach (char c in text)
        {
            hash = (hash ^ c) * FnvPrime;
        }
        return hash;
    }

    /// <summary>SplitMix64's finaliser: FNV's low bits vary little between similar ids.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
