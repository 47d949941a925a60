namespace OnDeviceReco.Storage;

/// <summary>
/// Work that runs on the writer thread, in queue order, after all events queued before it are committed.
/// Completing <see cref="Completion"/> tells the caller it is done (or why it failed).
/// </summary>
internal class WriterCommand
{
    private readonly Action<EventWriter>? _action;

    public WriterCommand(Action<EventWriter>? action = null) => _action = action;

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set on the command that stops the writer.</summary>
    public bool StopsWriter { get; init; }

    /// <summary>Runs even when the events queued before it cannot be committed (a command that changes why they cannot).</summary>
    public bool IgnoresPendingFailure { get; init; }

    public virtual void Execute(EventWriter writer) => _action?.Invoke(writer);
}
