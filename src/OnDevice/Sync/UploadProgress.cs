using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Sync;

/// <summary>Where an upload stands: the last acknowledged sequence id, the current batch size, and the counts reported at the end.</summary>
internal sealed class UploadProgress(int maxEvents)
{
    /// <summary>Sequence id of the last acknowledged event (the next batch starts after it).</summary>
    public long After { get; private set; }

    /// <summary>Events per batch; lowered when the server finds batches too large or bisects a refused one.</summary>
    public int MaxEvents { get; set; } = maxEvents;

    public int Sent { get; private set; }
    public int AlreadyStored { get; private set; }
    public int Batches { get; private set; }
    public int SetAside { get; private set; }

    /// <summary>The server's reason for the first events set aside.</summary>
    public string? SetAsideReason { get; private set; }

    public void Acknowledged(EventBatch batch, BatchAck ack)
    {
        After = batch.LastSequence;
        Sent += batch.Events.Count;
        AlreadyStored += ack.AlreadyStored;
        Batches++;
    }

    public void SetAsideDone(int count, string? reason)
    {
        SetAside += count;
        SetAsideReason ??= reason;
    }

    public UploadOutcome Outcome(HttpOutcome? failure) => new(Sent, AlreadyStored, Batches, SetAside, SetAsideReason, failure);
}

/// <summary>What an upload did, and the failure that ended it early (null when everything pending was sent).</summary>
internal sealed record UploadOutcome(int Sent, int AlreadyStored, int Batches, int SetAside, string? SetAsideReason, HttpOutcome? Failure);
