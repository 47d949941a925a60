namespace OnDeviceReco;

/// <summary>Which ONNX Runtime execution provider runs the model.</summary>
public enum ExecutionProviderPreference
{
    /// <summary>DirectML when running on Windows with the DirectML build of ONNX Runtime present, otherwise CPU.</summary>
    Auto = 0,
    /// <summary>Always the CPU.</summary>
    Cpu = 1,
}

/// <summary>How the on-device model runs.</summary>
public sealed record InferenceOptions
{
    /// <summary>Execution provider preference. Default <see cref="ExecutionProviderPreference.Auto"/>.</summary>
    public ExecutionProviderPreference Provider { get; init; } = ExecutionProviderPreference.Auto;

    /// <summary>Threads one inference may use. Default 1, so a game's frame threads are left alone.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>How many of the model's best items are re-ranked per call (filters, diversity, exploration). Default 200.</summary>
    public int CandidatePool { get; init; } = 200;

    internal void Validate()
    {
        if (!Enum.IsDefined(Provider))
        {
            throw new ArgumentOutOfRangeException(nameof(Provider), Provider, "Unknown execution provider preference.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(IntraOpThreads, 1, nameof(IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(CandidatePool, 1, nameof(CandidatePool));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CandidatePool, 10_000, nameof(CandidatePool));
    }
}
