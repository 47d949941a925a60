namespace OnDeviceReco.Protocol.Wire;

/// <summary>
/// What the server says about a published model: enough for a device to decide whether to download it.
/// Trust comes from the bundle's signature, checked on the device after download, never from this record.
/// </summary>
/// <param name="ModelVersion">Larger is newer.</param>
/// <param name="CreatedAt">When the trainer produced it.</param>
/// <param name="Architecture">Model family (sasrec, gru).</param>
/// <param name="KeyId">Id of the key that signed the bundle.</param>
/// <param name="PackageBytes">Size of the package <c>GET /v1/models/{version}</c> returns.</param>
/// <param name="PackageSha256">Lowercase hex SHA-256 of that package, to detect a damaged download early.</param>
/// <param name="Metrics">Evaluation results on the server's held-out recent events (e.g. <c>ndcg@10</c>).</param>
public sealed record ModelRelease(
    long ModelVersion,
    DateTimeOffset CreatedAt,
    string Architecture,
    string KeyId,
    long PackageBytes,
    string PackageSha256,
    IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>
    /// The experiment arm that chose this release for the device, or null (the serving version for everyone, or an
    /// older server). Sent only to devices that ask with <see cref="ExperimentArm.RequestHeader"/>.
    /// </summary>
    public ExperimentArm? Arm { get; init; }
}
