namespace OnDeviceReco.Inference;

/// <summary>
/// The model serving now, swapped atomically under load. Each call takes a <see cref="ModelLease"/>; a model
/// swapped out keeps serving the calls that leased it and closes when the last of them ends.
/// </summary>
internal sealed class ModelSlot : IDisposable
{
    private readonly Lock _swap = new();
    private LoadedModel? _model;

    /// <summary>The model in place now, or null; to describe it, not to run it (take a lease for that).</summary>
    public LoadedModel? Current => Volatile.Read(ref _model);

    /// <summary>Puts <paramref name="model"/> in place and retires the one it replaces.</summary>
    public void Swap(LoadedModel? model)
    {
        LoadedModel? previous;
        lock (_swap)
        {
            previous = _model;
            Volatile.Write(ref _model, model);
        }
        previous?.Retire();
    }

    /// <summary>A reference to the current model (or to none) for one call; dispose it when the call ends.</summary>
    public ModelLease Acquire()
    {
        while (true)
        {
            var model = Volatile.Read(ref _model);
            if (model is null || model.TryAcquire())
            {
                return new ModelLease(model);
            }
            // Retired between the read and the acquire: a newer model is already in place.
        }
    }

    /// <summary>Empties the slot: the last model closes when its last lease ends.</summary>
    public void Dispose() => Swap(null);
}
