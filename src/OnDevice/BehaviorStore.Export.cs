using OnDeviceReco.Export;

namespace OnDeviceReco;

// The user's right of access and portability: everything the store holds about a user (or every user) as JSON.
internal sealed partial class BehaviorStore
{
    /// <summary>
    /// Writes the export of <paramref name="userId"/>'s data (every user's when null) to <paramref name="destination"/>
    /// (see <see cref="StoreExport"/>). Events tracked before the call are committed first, so they are in it.
    /// </summary>
    /// <exception cref="BehaviorStoreException">When the database cannot be read.</exception>
    internal void ExportJson(Stream destination, string? userId, DeviceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (userId is not null)
        {
            EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        }
        Flush();
        var request = new ExportRequest(userId, Now, Consent, PendingServerErasures, facts);
        Read(database =>
        {
            StoreExport.Write(database, destination, request);
            return true;
        });
    }
}
