namespace OnDeviceReco.Protocol.Wire;

/// <summary>The server's answer to an event batch: everything up to <paramref name="AcceptedThrough"/> is stored.</summary>
/// <param name="BatchId">The batch acknowledged.</param>
/// <param name="AcceptedThrough">The batch's last sequence id: the device may mark every event up to it synced.</param>
/// <param name="Stored">Events newly stored by this request.</param>
/// <param name="AlreadyStored">Events the server already had (a resend); stored once, counted here.</param>
/// <param name="Replayed">True when this exact batch had been accepted before: nothing was stored this time (Stored 0, every event AlreadyStored).</param>
public sealed record BatchAck(Guid BatchId, long AcceptedThrough, int Stored, int AlreadyStored, bool Replayed);
