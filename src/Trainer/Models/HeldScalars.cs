using TorchSharp;

namespace OnDeviceReco.Trainer.Models;

/// <summary>
/// Scalars the models and losses pass to torch, held in static fields. Why: a C# number given where torch wants a
/// Scalar becomes a temporary <see cref="Scalar"/> whose finalizer frees the native value; once its handle has been
/// read, nothing keeps the temporary alive, so a garbage collection during the native call can free it mid-use — the
/// server's retraining once died in masked_fill with "Expected false to be true … toFloat" while devices kept the
/// GC busy. Constants live here for the process; per-call values are held with <c>using var</c> for the call.
/// TorchSharp's own tensor + and − make such a temporary too (alpha = 1): <see cref="Plus"/> and <see cref="Minus"/>
/// pass a held one. A test trains and scores while another thread collects without pause.
/// </summary>
internal static class HeldScalars
{
    public static readonly Scalar MaskedScore = SasRec.MaskedScore.ToScalar();
    public static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar One = 1.ToScalar();

    /// <summary><paramref name="a"/> + <paramref name="b"/> with a held alpha.</summary>
    public static torch.Tensor Plus(this torch.Tensor a, torch.Tensor b) => a.add(b, One);

    /// <summary><paramref name="a"/> − <paramref name="b"/> with a held alpha.</summary>
    public static torch.Tensor Minus(this torch.Tensor a, torch.Tensor b) => a.add(b.neg(), One); // sub has no alpha overload to pass
}
