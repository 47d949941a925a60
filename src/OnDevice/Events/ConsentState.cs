namespace OnDeviceReco;

/// <summary>The user's choice about behaviour data. Persisted in the store.</summary>
public enum ConsentState
{
    /// <summary>Not asked yet: behaviour is kept on the device; nothing leaves it.</summary>
    Unknown = 0,
    /// <summary>Behaviour is kept on the device and may be synced to the app's server.</summary>
    Granted = 1,
    /// <summary>Nothing new is recorded and nothing is synced. Existing rows stay until <c>EraseAllData</c>.</summary>
    Revoked = 2,
    /// <summary>Behaviour is kept on the device and never synced, not even if consent is granted later.</summary>
    LocalOnly = 3,
}
