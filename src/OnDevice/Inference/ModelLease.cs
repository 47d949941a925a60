namespace OnDeviceReco.Inference;

/// <summary>One call's reference to a model, or to none; disposing it releases the reference.</summary>
internal readonly struct ModelLease(LoadedModel? model) : IDisposable
{
    /// <summary>The leased model, or null when none was loaded.</summary>
    public LoadedModel? Model => model;

    public void Dispose() => model?.Release();
}
