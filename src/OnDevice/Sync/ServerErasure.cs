using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Storage;

namespace OnDeviceReco.Sync;

/// <summary>What asking the server for the erasures the store owes did.</summary>
/// <param name="Erased">Erasures the server confirmed (or had done already).</param>
/// <param name="Pending">Erasures still owed: the server could not be reached; the next sync asks again.</param>
/// <param name="Failure">Why the first unfinished one did not finish, or null.</param>
internal sealed record ErasureOutcome(int Erased, int Pending, HttpOutcome? Failure);

/// <summary>
/// Asks the server to erase what it holds under identities this store erased: registers as each one with its id and
/// secret (the token it had went with its database) and sends <c>DELETE /v1/devices/{id}</c> with the token. The
/// server answers 410 to an id it erased already (an answer lost on the way, a second device restored from the same
/// backup): that is done too. An erasure the server refuses for good (the id is bound to another secret: not this
/// device's data) is dropped and reported; one it cannot answer now stays owed.
/// </summary>
internal sealed class ServerErasure(BehaviorStore store, SyncHttp http, SyncRequests requests)
{
    private const long MaxAnswerBytes = 64 * 1024;

    public async Task<ErasureOutcome> SendAsync(CancellationToken cancellationToken)
    {
        int erased = 0;
        HttpOutcome? refused = null;
        foreach (var request in store.PendingServerErasures)
        {
            var outcome = await EraseAsync(request, cancellationToken).ConfigureAwait(false);
            if (outcome is not null && !outcome.Permanent)
            {
                return new ErasureOutcome(erased, store.PendingServerErasures.Count, outcome);
            }
            store.ServerErasureSettled(request.DeviceId);
            erased += outcome is null ? 1 : 0;
            refused ??= outcome;
        }
        return new ErasureOutcome(erased, 0, refused);
    }

    /// <summary>Null when the server holds nothing more under the id; else the failure.</summary>
    private async Task<HttpOutcome?> EraseAsync(ErasureRequest request, CancellationToken cancellationToken)
    {
        byte[] body = WireCodec.Encode(new DeviceRegistration(request.DeviceId, request.Secret));
        var registered = await http.SendAsync(() => requests.Post("v1/devices", body, null), MaxAnswerBytes, cancellationToken).ConfigureAwait(false);
        if (registered.Status == 410)
        {
            return null;
        }
        if (!registered.Success)
        {
            return registered;
        }
        DeviceCredential credential;
        try
        {
            credential = WireCodec.DecodeCredential(registered.Body);
        }
        catch (ProtocolFormatException e)
        {
            return registered.AsTransient("Unreadable device credential: " + e.Message);
        }
        if (credential.DeviceId != request.DeviceId)
        {
            return registered.AsTransient("The server issued a credential for another device.");
        }
        var deleted = await http.SendAsync(() => requests.Delete($"v1/devices/{Uri.EscapeDataString(request.DeviceId)}", credential), MaxAnswerBytes, cancellationToken)
            .ConfigureAwait(false);
        return deleted.Success || deleted.Status == 410 ? null
            // A token refused right after it was issued: the server's token secret changed in between; try again later.
            : deleted.Status == 401 ? deleted.AsTransient(deleted.Error ?? "The erasure's token was refused.")
            : deleted;
    }
}
