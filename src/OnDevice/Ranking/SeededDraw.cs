namespace OnDeviceReco.Ranking;

/// <summary>
/// A random number fixed by a user and an item: the same on every call and in every process (string hashes in
/// .NET are randomised per process), independent between users. Lets each device draw its own optimism about an
/// item without a random source that would make recommendations unrepeatable.
/// </summary>
internal static class SeededDraw
{
    /// <summary>An exponential draw with mean 1: never negative, so scaling a bonus by it keeps the bonus a bonus.</summary>
    public static double Exponential(string userId, string itemId)
    {
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        ulong hash = Mix(Fnv((Fnv(14695981039346656037UL, userId) ^ '\n') * 1099511628211UL, itemId));
        double uniform = ((hash >> 11) + 1) / 9007199254740992.0; // 53 bits, in (0, 1]
        return -Math.Log(uniform);
    }

    private static ulong Fnv(ulong hash, string text)
    {
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
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
