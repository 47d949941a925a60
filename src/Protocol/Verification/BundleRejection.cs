namespace OnDeviceReco.Protocol;

/// <summary>Why <see cref="BundleVerifier.TryVerify"/> refused a bundle.</summary>
/// <param name="Reason">Why the bundle was refused.</param>
/// <param name="FileName">The bundle file at fault, or null when the fault is the directory itself.</param>
/// <param name="Message">What went wrong, naming the file.</param>
public sealed record BundleRejection(BundleRejectReason Reason, string? FileName, string Message);
