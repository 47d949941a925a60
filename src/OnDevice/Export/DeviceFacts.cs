using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Export;

/// <summary>What the client knows beside the store that an export reports: the model serving and the experiment arm.</summary>
internal sealed record DeviceFacts(long? ModelVersion, ExperimentArm? Arm);
