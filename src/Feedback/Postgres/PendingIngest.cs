using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Feedback.Postgres;

/// <summary>
/// One batch waiting to be stored by a group commit, and the outcome its caller waits for: a result, an exception
/// of its own (a 409 conflict), or "store me alone" when the group it was in failed as a whole.
/// </summary>
internal sealed class PendingIngest(long device, EventBatch batch, byte[] contentHash)
{
    // Continuations run elsewhere: the writer thread that completes a group must not run its members' requests.
    private readonly TaskCompletionSource<IngestResult?> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Device { get; } = device;

    public EventBatch Batch { get; } = batch;

    public byte[] ContentHash { get; } = contentHash;

    /// <summary>True when the group failed: nothing of it committed for this batch's sake, and the caller stores the batch on its own.</summary>
    public bool RetryAlone { get; private set; }

    /// <summary>Completes when the group this batch joined has finished; null means <see cref="RetryAlone"/>.</summary>
    public Task<IngestResult?> Outcome => _outcome.Task;

    public void Complete(IngestResult result) => _outcome.SetResult(result);

    public void Fail(Exception failure) => _outcome.SetException(failure);

    public void SendBackToRetryAlone()
    {
        RetryAlone = true;
        _outcome.SetResult(null);
    }
}
