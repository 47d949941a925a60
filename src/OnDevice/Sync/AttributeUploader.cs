using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Sync;

/// <summary>
/// Moves pending user attribute changes to the server (<c>POST v1/attributes</c>), batch by batch, marking each
/// synced only after the acknowledgement of exactly that batch. The server keeps the newest change per (device,
/// user, key), so a resend lands once. A server from before attributes answers 404: the changes stay pending and
/// events keep syncing. The acknowledgement also names the highest change number the server holds for this device,
/// which lets a store restored from a backup (its counter gone back) number its changes anew instead of losing them.
/// </summary>
internal sealed class AttributeUploader(BehaviorStore store, DeviceSession session, SyncRequests requests)
{
    private const long MaxAckBytes = 64 * 1024;
    private const int MaxChangesPerBatch = 1_000;

    /// <summary>How many changes the server acknowledged, whether it takes attributes at all, and the failure if one stopped the upload.</summary>
    public async Task<(int Sent, bool Supported, HttpOutcome? Failure)> UploadAsync(CancellationToken cancellationToken)
    {
        int sent = 0;
        while (true)
        {
            var changes = store.GetUnsyncedAttributeChanges(MaxChangesPerBatch);
            if (changes.Count == 0)
            {
                return (sent, true, null);
            }
            if (store.Consent != ConsentState.Granted)
            {
                return (sent, true, HttpOutcome.Refused("Consent was withdrawn during the sync; no more attributes were sent."));
            }
            var batch = AttributeBatch.Create(store.DeviceId, changes);
            byte[] body = WireCodec.Encode(batch);
            var outcome = await session.SendAsync(credential => requests.Post("v1/attributes", body, credential), MaxAckBytes, cancellationToken)
                .ConfigureAwait(false);
            if (outcome.Status == 404)
            {
                return (sent, false, null);
            }
            if (!outcome.Success)
            {
                return (sent, true, outcome);
            }
            AttributeAck ack;
            try
            {
                ack = WireCodec.DecodeAttributeAck(outcome.Body);
                if (ack.BatchId != batch.BatchId || ack.AppliedThrough != batch.LastSequence)
                {
                    return (sent, true, outcome.AsTransient("The attribute acknowledgement does not match the batch sent."));
                }
            }
            catch (ProtocolFormatException e)
            {
                return (sent, true, outcome.AsTransient("Unreadable attribute acknowledgement: " + e.Message));
            }
            store.MarkAttributesSynced(changes);
            sent += changes.Count;
            // A server ahead of this store's numbering (a restored backup) took these for old changes: the store
            // numbers its attributes anew above the server's and the loop sends them again.
            store.CatchUpAttributeNumbers(ack.HighestSequence);
        }
    }
}
