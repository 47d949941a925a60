using System.Security.Cryptography;
using OnDeviceReco.Trainer.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Privacy;

/// <summary>
/// One step's sum of per-user updates, each clipped to L2 norm ≤ C over all parameters together, and its release:
/// the sum plus N(0, σ²C²) on every coordinate, divided by the expected number of users per step (a fixed
/// denominator, so one user moves the result by at most C / expected, whoever was sampled).
/// <para>The noise comes from a torch generator seeded from the operating system's CSPRNG per aggregate, never from
/// the training seed: a rerun with the same seed must not reproduce, and so cancel, the noise. (The generator
/// itself is libtorch's Mersenne Twister, as in Opacus without its secure mode.)</para>
/// </summary>
internal sealed class PrivateAggregate : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly List<Tensor> _sums;
    private readonly Generator _noise;

    public PrivateAggregate(IReadOnlyList<Parameter> parameters, double clipNorm)
    {
        _parameters = parameters;
        ClipNorm = clipNorm;
        using (no_grad())
        {
            _sums = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToList();
        }
        _noise = new Generator(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)));
    }

    public double ClipNorm { get; }

    /// <summary>Users added since the last <see cref="Clear"/>.</summary>
    public int Users { get; private set; }

    /// <summary>Updates added since the last <see cref="Clear"/> whose norm was above C.</summary>
    public int Clipped { get; private set; }

    /// <summary>The running sum, one tensor per parameter (read-only use).</summary>
    public IReadOnlyList<Tensor> Sums => _sums;

    /// <summary>
    /// Adds the parameters' current gradients — one user's update — scaled to norm ≤ C; returns their norm before
    /// clipping. A parameter without a gradient counts as zero.
    /// </summary>
    public double AddClipped()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return AddClipped(_parameters.Select(p => p.grad?.unsqueeze(0)).ToList())[0];
    }

    /// <summary>
    /// Adds many users' updates, each scaled to norm ≤ C over all parameters together; returns their norms before
    /// clipping. <paramref name="perUser"/> holds one tensor [users, ..parameter shape] per parameter, in the order
    /// of the parameters (null: zero for every user).
    /// </summary>
    public double[] AddClipped(IReadOnlyList<Tensor?> perUser)
    {
        ArgumentNullException.ThrowIfNull(perUser);
        if (perUser.Count != _parameters.Count)
        {
            throw new ArgumentException($"{perUser.Count} gradients for {_parameters.Count} parameters.", nameof(perUser));
        }
        var present = perUser.OfType<Tensor>().ToList();
        if (present.Count == 0)
        {
            throw new ArgumentException("At least one parameter needs a gradient.", nameof(perUser));
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long users = present[0].shape[0];
        // One read of all norms: the per-user loop calls this once per user.
        var norms = stack(present.Select(g => g.reshape(users, -1).square().sum(1)).ToArray()).sum(0L).sqrt(); // 0L: a literal 0 would bind to sum(ScalarType)
        using var clip = ClipNorm.ToScalar(); // held for the calls: see HeldScalars
        var factors = norms.reciprocal().mul(clip).clamp_max(HeldScalars.One); // a zero norm gives +∞, clamped to 1
        for (int i = 0; i < perUser.Count; i++)
        {
            if (perUser[i] is { } gradient)
            {
                _sums[i].add_(factors.matmul(gradient.reshape(users, -1)).view_as(_sums[i]), HeldScalars.One);
            }
        }
        var result = norms.data<float>().Select(n => (double)n).ToArray();
        Users += result.Length;
        Clipped += result.Count(n => n > ClipNorm);
        return result;
    }

    /// <summary>
    /// Writes (sum + N(0, σ²C²)) / <paramref name="expectedUsers"/> into every parameter's gradient, ready for the
    /// optimiser (which, like anything after the noise, cannot spend more privacy).
    /// </summary>
    public void WriteNoisyMean(double noiseMultiplier, double expectedUsers)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var std = (noiseMultiplier * ClipNorm).ToScalar();
        using var inverse = (1.0 / expectedUsers).ToScalar();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var parameter = _parameters[i];
            var noisy = randn(parameter.shape, dtype: parameter.dtype, generator: _noise).mul_(std).add_(_sums[i], HeldScalars.One).mul_(inverse);
            using var grad = parameter.grad;
            if (grad is null)
            {
                throw new InvalidOperationException("Every parameter needs a gradient tensor before the noisy mean is written: run one backward first.");
            }
            grad.copy_(noisy);
        }
    }

    public void Clear()
    {
        using var noGrad = no_grad();
        _sums.ForEach(s => s.zero_());
        Users = 0;
        Clipped = 0;
    }

    public void Dispose()
    {
        _sums.ForEach(s => s.Dispose());
        _noise.Dispose();
    }
}
