namespace OnDeviceReco.Feedback;

/// <summary>
/// Where synced feedback and the model registry's records live. SQLite fills it by default; a production
/// database can fill it instead. The union of what each consumer needs (<see cref="IFeedbackIngest"/>,
/// <see cref="IUserAttributeStore"/>, <see cref="IModelRegistryStore"/>, <see cref="IFeedbackReader"/>, <see cref="IExperimentStore"/>, <see cref="IDeviceDataExport"/>): a consumer
/// that needs one part takes that part.
/// </summary>
public interface IFeedbackStore : IFeedbackIngest, IUserAttributeStore, IModelRegistryStore, IFeedbackReader, IExperimentStore, IDeviceDataExport, IDisposable;
