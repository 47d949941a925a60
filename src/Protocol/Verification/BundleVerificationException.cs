namespace OnDeviceReco.Protocol;

/// <summary>A bundle was refused; nothing from it should be used.</summary>
public sealed class BundleVerificationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the bundle was refused.</param>
    /// <param name="fileName">The bundle file at fault, when there is one.</param>
    /// <param name="message">What went wrong, naming the file.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public BundleVerificationException(BundleRejectReason reason, string? fileName, string message, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        FileName = fileName;
    }

    /// <summary>Why the bundle was refused.</summary>
    public BundleRejectReason Reason { get; }

    /// <summary>The bundle file at fault (e.g. <c>model.onnx</c>), or null when the fault is the directory itself.</summary>
    public string? FileName { get; }
}
