using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Training;

/// <summary>
/// Adam that holds every Scalar it hands to torch for the whole native call. Why: TorchSharp 0.107's own
/// <c>optim.Adam.step()</c> passes C# numbers where torch wants a Scalar; each becomes a temporary whose finalizer
/// frees the native value, and nothing keeps it alive once its handle is read, so a garbage collection during the
/// call can free it mid-use (upstream dotnet/TorchSharp#1434, #1496; see <c>HeldScalars</c> for the same hole in
/// model code). The arithmetic is TorchSharp 0.107's Adam without weight decay, amsgrad or maximize, op for op, so
/// training gives bit-identical weights (a test compares them with <c>torch.equal</c>).
/// </summary>
public sealed class HeldAdam : IDisposable
{
    private readonly double _learningRate;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly List<Moments> _moments;

    // Constant for the optimiser's life: held here, disposed with it.
    private readonly Scalar _beta1Scalar;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _beta2Scalar;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _eps;
    private readonly Scalar _one; // the alpha TorchSharp's add_(Scalar) passes

    public HeldAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        if (learningRate < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must not be negative.");
        }
        if (beta1 is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        }
        if (beta2 is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        }
        if (eps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must not be negative.");
        }
        _learningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _moments = parameters.Select(p => new Moments(p)).ToList();
        _beta1Scalar = beta1.ToScalar();
        _oneMinusBeta1 = (1.0 - beta1).ToScalar();
        _beta2Scalar = beta2.ToScalar();
        _oneMinusBeta2 = (1.0 - beta2).ToScalar();
        _eps = eps.ToScalar();
        _one = 1.ToScalar();
    }

    /// <summary>Zeroes every parameter's gradient in place, as <c>optim.Adam.zero_grad()</c> does.</summary>
    public void ZeroGrad()
    {
        foreach (var moments in _moments)
        {
            using var grad = moments.Parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        foreach (var moments in _moments)
        {
            using var grad = moments.Parameter.grad;
            if (grad is null)
            {
                continue;
            }
            moments.Steps++;
            double biasCorrection1 = 1.0 - Math.Pow(_beta1, moments.Steps);
            double biasCorrection2 = 1.0 - Math.Pow(_beta2, moments.Steps);
            moments.ExpAvg.mul_(_beta1Scalar).add_(grad, _oneMinusBeta1);
            // TorchSharp multiplies by grad.conj(), which is grad itself for real tensors.
            moments.ExpAvgSq.mul_(_beta2Scalar).addcmul_(grad, grad, _oneMinusBeta2);
            using var biasCorrection2Root = Math.Sqrt(biasCorrection2).ToScalar();
            using var root = moments.ExpAvgSq.sqrt();
            using var denominator = root.div(biasCorrection2Root).add_(_eps, _one);
            using var negativeStepSize = (0.0 - _learningRate / biasCorrection1).ToScalar();
            moments.Parameter.addcdiv_(moments.ExpAvg, denominator, negativeStepSize);
        }
    }

    public void Dispose()
    {
        _moments.ForEach(m => m.Dispose());
        _beta1Scalar.Dispose();
        _oneMinusBeta1.Dispose();
        _beta2Scalar.Dispose();
        _oneMinusBeta2.Dispose();
        _eps.Dispose();
        _one.Dispose();
    }

    /// <summary>A parameter's running first and second moments and its own step count (TorchSharp counts per parameter).</summary>
    private sealed class Moments(Parameter parameter) : IDisposable
    {
        public Parameter Parameter { get; } = parameter;
        public Tensor ExpAvg { get; } = zeros_like(parameter).DetachFromDisposeScope();
        public Tensor ExpAvgSq { get; } = zeros_like(parameter).DetachFromDisposeScope();
        public long Steps { get; set; }

        public void Dispose()
        {
            ExpAvg.Dispose();
            ExpAvgSq.Dispose();
        }
    }
}
