using System.Globalization;
using System.Net.Http.Headers;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Sync;

/// <summary>
/// The requests a device makes, with the headers every one carries: the app's key, the device's token, and the
/// device's clock (<c>X-Device-Time</c>), from which the server corrects the timestamps of a device whose
/// clock is wrong instead of refusing its events.
/// </summary>
internal sealed class SyncRequests(SyncOptions options, TimeProvider clock)
{
    public HttpRequestMessage Post(string path, byte[] body, DeviceCredential? credential)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(WireCodec.ContentType);
        return Authorize(request, credential);
    }

    /// <summary>An event batch, saying that this device reads the conflicts an acknowledgement may carry (<see cref="BatchAck.ConflictsHeader"/>).</summary>
    public HttpRequestMessage PostEvents(byte[] body, DeviceCredential? credential)
    {
        var request = Post("v1/events", body, credential);
        request.Headers.Add(BatchAck.ConflictsHeader, "1");
        return request;
    }

    public HttpRequestMessage Delete(string path, DeviceCredential credential) => Authorize(new HttpRequestMessage(HttpMethod.Delete, path), credential);

    public HttpRequestMessage Get(string path, DeviceCredential credential) => Authorize(new HttpRequestMessage(HttpMethod.Get, path), credential);

    /// <summary>The release to run, saying that this device reads the experiment arm a release may carry (<see cref="ExperimentArm.RequestHeader"/>).</summary>
    public HttpRequestMessage GetLatestModel(DeviceCredential credential)
    {
        var request = Get("v1/models/latest", credential);
        request.Headers.Add(ExperimentArm.RequestHeader, "1");
        return request;
    }

    /// <summary>A GET the server answers with 304 and no body when what it has is still <paramref name="entityTag"/> (quoted, as the server sent it).</summary>
    public HttpRequestMessage GetUnlessUnchanged(string path, DeviceCredential credential, string? entityTag)
    {
        var request = Get(path, credential);
        if (entityTag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", entityTag);
        }
        return request;
    }

    private HttpRequestMessage Authorize(HttpRequestMessage request, DeviceCredential? credential)
    {
        request.Headers.Add("X-Api-Key", options.ApiKey);
        request.Headers.Add("X-Device-Time", clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        if (credential is not null)
        {
            request.Headers.Add("X-Device-Id", credential.DeviceId);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.Token);
        }
        return request;
    }
}
