using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using OnDeviceReco.Inference;

namespace OnDeviceReco.Ranking;

/// <summary>
/// How large recently served users' draws (<see cref="SeededDraw"/>) can be, by model index: one byte per item, the
/// binary exponent of the uniform number the draw is <c>−ln</c> of. A draw is fixed by user and item, so it is hashed
/// from the item's id once; on later calls the byte bounds it (<see cref="AtMost"/>) and only the few items that
/// bound cannot rule out are hashed again, exactly. Exploration's pass over thousands of candidates then reads no id
/// string for most of them. Kept per model (dropped with the model) for a few users at a time.
/// </summary>
internal sealed class DrawCache
{
    private const int Users = 4;

    private readonly ConditionalWeakTable<LoadedModel, ConcurrentDictionary<string, byte[]>> _byModel = new();

    /// <summary>The bytes of <paramref name="userId"/> for <paramref name="model"/>; 0 where not drawn yet.</summary>
    public byte[] For(LoadedModel model, string userId)
    {
        var users = _byModel.GetValue(model, static _ => new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal));
        if (users.TryGetValue(userId, out var bounds))
        {
            return bounds;
        }
        if (users.Count >= Users)
        {
            users.Clear(); // crude but bounded; the working set of a device is one or a few users
        }
        return users.GetOrAdd(userId, static (_, rows) => new byte[rows], model.ItemCount + 1);
    }

    /// <summary>Records <paramref name="uniform"/>'s exponent E (u ≥ 2^E, E from 0 down to −53) as 1 − E.</summary>
    public static void Remember(byte[] bounds, int index, double uniform) =>
        bounds[index] = (byte)(1 - Math.ILogB(uniform)); // a race writes the same byte twice, never a wrong one

    /// <summary>
    /// A number never below the remembered draw <c>−ln u</c> (u ≥ 2^E, so −ln u ≤ −E·ln 2), or +∞ when none is
    /// remembered at <paramref name="index"/>.
    /// </summary>
    public static double AtMost(byte[] bounds, int index)
    {
        int code = bounds[index];
        return code == 0 ? double.PositiveInfinity : (code - 1) * 0.6931471805599453 + 1e-6;
    }
}
