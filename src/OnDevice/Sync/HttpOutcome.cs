namespace OnDeviceReco.Sync;

/// <summary>How one request ended after its retries.</summary>
internal sealed record HttpOutcome
{
    private HttpOutcome()
    {
    }

    /// <summary>A 2xx answer and its body.</summary>
    public bool Success { get; private init; }

    /// <summary>Retrying the same request will not help (4xx other than 408/429, consent withdrawn, unusable answer).</summary>
    public bool Permanent { get; private init; }

    /// <summary>The HTTP status, when the server answered.</summary>
    public int? Status { get; private init; }

    public byte[]? Body { get; private init; }

    /// <summary>Why it failed, for the sync result and the log.</summary>
    public string? Error { get; private init; }

    /// <summary>How long the server asked to wait.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Sequence ids of events the server refused for good (400 "Invalid event"), when it listed them.</summary>
    public IReadOnlyList<long> InvalidSequences { get; private init; } = [];

    public static HttpOutcome Ok(int status, byte[] body) => new() { Success = true, Status = status, Body = body };

    /// <summary>Worth trying again later: network, timeout, 408/429/5xx, or an answer that was not our server's.</summary>
    public static HttpOutcome Transient(string error, int? status = null, TimeSpan? retryAfter = null) =>
        new() { Status = status, Error = error, RetryAfter = retryAfter };

    /// <summary>Refused for good by the server (or unusable): the same request will fail again.</summary>
    public static HttpOutcome Refused(string error, int? status = null, IReadOnlyList<long>? invalidSequences = null) =>
        new() { Permanent = true, Status = status, Error = error, InvalidSequences = invalidSequences ?? [] };

    /// <summary>This outcome turned into a transient failure with another explanation (same status).</summary>
    public HttpOutcome AsTransient(string error) => Transient(error, Status, RetryAfter);

    /// <summary>This outcome turned into a permanent failure with another explanation (same status).</summary>
    public HttpOutcome AsRefused(string error) => Refused(error, Status);
}
