namespace OnDeviceReco.Protocol.Wire;

/// <summary>What an envelope carries. Numbers are on the wire, so they never change.</summary>
public enum MessageKind
{
    /// <summary><see cref="Wire.EventBatch"/>.</summary>
    EventBatch = 1,
    /// <summary><see cref="Wire.BatchAck"/>.</summary>
    BatchAck = 2,
    /// <summary><see cref="Wire.ModelRelease"/>.</summary>
    ModelRelease = 3,
    /// <summary><see cref="Wire.ModelPackage"/>.</summary>
    ModelPackage = 4,
    /// <summary><see cref="Wire.DeviceRegistration"/>.</summary>
    DeviceRegistration = 5,
    /// <summary><see cref="Wire.DeviceCredential"/>.</summary>
    DeviceCredential = 6,
    /// <summary><see cref="Wire.AttributeBatch"/> (added after the first release: servers before it answer its endpoint with 404).</summary>
    AttributeBatch = 7,
    /// <summary><see cref="Wire.AttributeAck"/>.</summary>
    AttributeAck = 8,
    /// <summary><see cref="Exposure.SignedExposure"/> (added after attributes: servers before it answer its endpoint with 404).</summary>
    ExposureCounts = 9,
}
