namespace OnDeviceReco.Server.Retraining;

/// <summary>Wakes the retraining service early (operator request) and reports what it has done.</summary>
public sealed class RetrainingTrigger
{
    private readonly SemaphoreSlim _signal = new(0);
    private int _runs;
    private string? _lastError;

    public int RunsCompleted => Volatile.Read(ref _runs);
    public string? LastError => Volatile.Read(ref _lastError);
    internal bool ForceNext { get; set; }

    public void RequestNow()
    {
        ForceNext = true;
        _signal.Release();
    }

    internal Task<bool> WaitAsync(TimeSpan interval, CancellationToken cancellationToken) => _signal.WaitAsync(interval, cancellationToken);

    internal void Completed(string? error)
    {
        Volatile.Write(ref _lastError, error);
        Interlocked.Increment(ref _runs);
    }
}
