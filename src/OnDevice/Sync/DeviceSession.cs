using System.Globalization;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Sync;

/// <summary>
/// The device's standing with the server: registers with the store's device id and secret, keeps the short-lived
/// token in the store, renews it before it expires (by the device's clock) and again whenever the server says
/// 401 (expired, or the server's token secret changed) — so expiry never surfaces to the app.
/// </summary>
internal sealed class DeviceSession(BehaviorStore store, SyncHttp http, SyncRequests requests)
{
    private const string CredentialKey = Storage.KeyValue.SyncCredential;
    private const long MaxCredentialBytes = 64 * 1024;

    /// <summary>Sends a request made for the current token; on 401 registers again once and resends.</summary>
    public async Task<HttpOutcome> SendAsync(Func<DeviceCredential, HttpRequestMessage> createRequest, long maxResponseBytes, CancellationToken cancellationToken)
    {
        var (credential, failure) = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (credential is null)
        {
            return failure!;
        }
        var outcome = await http.SendAsync(() => createRequest(credential), maxResponseBytes, cancellationToken).ConfigureAwait(false);
        if (outcome.Status != 401)
        {
            return outcome;
        }
        (credential, failure) = await RegisterAsync(cancellationToken).ConfigureAwait(false);
        return credential is null
            ? failure!
            : await http.SendAsync(() => createRequest(credential), maxResponseBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The saved token while it is fresh, else a new one.</summary>
    public Task<(DeviceCredential? Credential, HttpOutcome? Failure)> CurrentAsync(CancellationToken cancellationToken)
    {
        string deviceId = store.DeviceId;
        long nowMs = store.Now.ToUnixTimeMilliseconds();
        if (store.GetState(CredentialKey) is { Length: > 0 } saved
            && saved.Split('\n') is [var savedDevice, var token, var renewAt]
            && savedDevice == deviceId
            && long.TryParse(renewAt, NumberStyles.None, CultureInfo.InvariantCulture, out long renewAtMs)
            && nowMs < renewAtMs)
        {
            return Task.FromResult<(DeviceCredential?, HttpOutcome?)>((new DeviceCredential(deviceId, token, 1), null));
        }
        return RegisterAsync(cancellationToken);
    }

    private async Task<(DeviceCredential? Credential, HttpOutcome? Failure)> RegisterAsync(CancellationToken cancellationToken)
    {
        string deviceId = store.DeviceId;
        // Before the first attempt: if the answer is lost, the server may know this id all the same, and an erasure must reach it.
        if (store.GetState(Storage.KeyValue.ServerContact) is null)
        {
            store.SetState(Storage.KeyValue.ServerContact, "1");
        }
        byte[] body = WireCodec.Encode(new DeviceRegistration(deviceId, store.DeviceSecret));
        var outcome = await http.SendAsync(() => requests.Post("v1/devices", body, null), MaxCredentialBytes, cancellationToken).ConfigureAwait(false);
        if (!outcome.Success)
        {
            return (null, outcome);
        }
        DeviceCredential credential;
        try
        {
            credential = WireCodec.DecodeCredential(outcome.Body);
        }
        catch (ProtocolFormatException e)
        {
            return (null, outcome.AsRefused("Unreadable device credential: " + e.Message));
        }
        if (credential.DeviceId != deviceId || credential.Token.Contains('\n'))
        {
            return (null, outcome.AsRefused("The server issued a credential for another device."));
        }
        // Renew at 80 % of the lifetime, on the device's own clock: the lifetime is relative, so a wrong clock only
        // shifts when renewal happens, and a 401 renews anyway.
        long renewAtMs = store.Now.ToUnixTimeMilliseconds() + (long)Math.Min(credential.ExpiresInSeconds * 800.0, long.MaxValue / 4.0);
        store.SetState(CredentialKey, string.Join('\n', deviceId, credential.Token, renewAtMs.ToString(CultureInfo.InvariantCulture)));
        return (credential, null);
    }
}
