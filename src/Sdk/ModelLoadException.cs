using OnDeviceReco.Protocol;

namespace OnDeviceReco;

/// <summary>A model bundle was refused; the model that was serving (if any) still serves.</summary>
public sealed class ModelLoadException : Exception
{
    internal ModelLoadException(string message, BundleRejectReason? rejection, Exception? inner = null)
        : base(message, inner)
    {
        Rejection = rejection;
    }

    /// <summary>Why verification failed, or null when the bundle verified but ONNX Runtime refused the model.</summary>
    public BundleRejectReason? Rejection { get; }
}
