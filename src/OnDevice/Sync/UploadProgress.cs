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

    /// <summary>Events numbered anew because the server holds other events under their numbers (each time it happened).</summary>
    public int Renumbered { get; private set; }

    /// <summary>Acknowledgements that named conflicting events.</summary>
    public int RenumberRounds { get; private set; }

    /// <summary>The server's reason for the first events set aside.</summary>
    public string? SetAsideReason { get; private set; }

    /// <summary>Counts an acknowledged batch; its <paramref name="renumbered"/> events are not on the server yet (they go again, under new numbers).</summary>
    public void Acknowledged(EventBatch batch, BatchAck ack, int renumbered)
    {
        After = batch.LastSequence;
        Sent += batch.Events.Count - renumbered;
        AlreadyStored += ack.AlreadyStored;
        Batches++;
        if (renumbered > 0)
        {
            Renumbered += renumbered;
            RenumberRounds++;
        }
    }

    public void SetAsideDone(int count, string? reason)
    {
        SetAside += count;
        SetAsideReason ??= reason;
    }

    public UploadOutcome Outcome(HttpOutcome? failure) => new(Sent, AlreadyStored, Batches, SetAside, SetAsideReason, failure) { Renumbered = Renumbered };
}

/// <summary>What an upload did, and the failure that ended it early (null when everything pending was sent).</summary>
internal sealed record UploadOutcome(int Sent, int AlreadyStored, int Batches, int SetAside, string? SetAsideReason, HttpOutcome? Failure)
{
    /// <summary>Events numbered anew after the server found their numbers taken by other events (a restored store).</summary>
    public int Renumbered { get; init; }
}
