namespace OnDeviceReco.Ranking;

/// <summary>
/// A standard normal number fixed by a user and an item: the same on every call and in every process (string
/// hashes in .NET are randomised per process), independent between users. Lets each device draw its own plausible
/// deviation of the model's estimate without a random source that would make recommendations unrepeatable.
/// </summary>
internal static class SeededDraw
{
    public static double Normal(string userId, string itemId)
    {
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        ulong hash = Mix(Fnv((Fnv(14695981039346656037UL, userId) ^ '\n') * 1099511628211UL, itemId));
        // Two uniforms in (0, 1] from the hash's halves, then Box–Muller.
        double u1 = ((hash >> 32) + 1) / 4294967296.0;
        double u2 = ((hash & 0xFFFFFFFF) + 1) / 4294967296.0;
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
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
