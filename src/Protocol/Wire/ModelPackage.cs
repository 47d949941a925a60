namespace OnDeviceReco.Protocol.Wire;

/// <summary>A signed bundle's files in one download: file name → bytes (manifest.json, manifest.sig, model.onnx, …).</summary>
/// <param name="ModelVersion">The version the server says this is; the signed manifest inside is what counts.</param>
/// <param name="Files">The bundle's files. Names are plain file names (no directories).</param>
public sealed record ModelPackage(long ModelVersion, IReadOnlyDictionary<string, byte[]> Files);
