namespace OnDeviceReco.Sync;

/// <summary>How one request ended after its retries.</summary>
internal sealed record HttpOutcome(bool Success, bool Permanent, int? Status, byte[]? Body, string? Error, TimeSpan? RetryAfter)
{
    public static HttpOutcome Ok(int status, byte[] body) => new(true, false, status, body, null, null);
}
