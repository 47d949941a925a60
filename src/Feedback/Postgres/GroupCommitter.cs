using Npgsql;

namespace OnDeviceReco.Feedback.Postgres;

/// <summary>
/// Group commit inside one node: batches that arrive while a group is being written wait in a queue, and the next
/// free writer takes all of them (up to a limit) as one group — one transaction, one round trip for the data, one
/// WAL flush — instead of one each. No delay is added: a writer that finds one batch writes one. A group holds at
/// most one batch per device, so each batch's new events can be counted by device; a second batch of the same
/// device waits for the next group.
/// </summary>
internal sealed class GroupCommitter : IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupLimits _limits;
    private readonly List<PendingIngest> _queue = [];
    private readonly List<Thread> _writers = [];
    private bool _stopping;

    public GroupCommitter(NpgsqlDataSource dataSource, GroupLimits limits)
    {
        _dataSource = dataSource;
        _limits = limits;
        for (int i = 0; i < limits.Writers; i++)
        {
            var writer = new Thread(WriteGroups) { IsBackground = true, Name = $"odr-pg-group-{i}" };
            writer.Start();
            _writers.Add(writer);
        }
    }

    /// <summary>Queues the batch for the next group; its outcome null means the group failed and the caller stores it alone.</summary>
    public Task<IngestResult?> Submit(PendingIngest pending)
    {
        lock (_queue)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _queue.Add(pending);
            Monitor.Pulse(_queue);
        }
        return pending.Outcome;
    }

    private void WriteGroups()
    {
        while (NextGroup() is { } group)
        {
            GroupIngest.Run(_dataSource, group);
        }
    }

    /// <summary>Waits for queued batches and takes them in arrival order, skipping (for the next group) a device already in this one.</summary>
    private List<PendingIngest>? NextGroup()
    {
        lock (_queue)
        {
            while (_queue.Count == 0 && !_stopping)
            {
                Monitor.Wait(_queue);
            }
            if (_stopping)
            {
                return null;
            }
            var group = new List<PendingIngest>();
            var devices = new HashSet<long>();
            int events = 0;
            for (int i = 0; i < _queue.Count && group.Count < _limits.MaxBatches; i++)
            {
                var pending = _queue[i];
                if (group.Count > 0 && events + pending.Batch.Events.Count > _limits.MaxEvents)
                {
                    break;
                }
                if (devices.Add(pending.Device))
                {
                    group.Add(pending);
                    events += pending.Batch.Events.Count;
                }
            }
            _queue.RemoveAll(group.Contains);
            if (_queue.Count > 0)
            {
                Monitor.Pulse(_queue); // another writer may take what this group left
            }
            return group;
        }
    }

    public void Dispose()
    {
        List<PendingIngest> abandoned;
        lock (_queue)
        {
            _stopping = true;
            abandoned = [.. _queue];
            _queue.Clear();
            Monitor.PulseAll(_queue);
        }
        foreach (var writer in _writers)
        {
            writer.Join();
        }
        foreach (var pending in abandoned)
        {
            pending.Fail(new ObjectDisposedException(nameof(PostgresFeedbackStore)));
        }
    }
}

/// <summary>How group commit is shaped: writers (groups in flight at once), and the most batches and events one group takes.</summary>
internal sealed record GroupLimits(int Writers, int MaxBatches, int MaxEvents)
{
    public static GroupLimits Default { get; } = new(Writers: 2, MaxBatches: 64, MaxEvents: 8_000);
}
