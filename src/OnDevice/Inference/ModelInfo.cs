namespace OnDeviceReco;

/// <summary>The model serving recommendations.</summary>
/// <param name="ModelVersion">Version from the signed manifest.</param>
/// <param name="Architecture">Model family, e.g. "sasrec".</param>
/// <param name="Items">Items the model knows.</param>
/// <param name="Provider">The ONNX Runtime execution provider that actually runs it.</param>
/// <param name="ProviderFallbackReason">Why a preferred provider (DirectML) was not used, or null.</param>
public sealed record ModelInfo(long ModelVersion, string Architecture, int Items, string Provider, string? ProviderFallbackReason);
