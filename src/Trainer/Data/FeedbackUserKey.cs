namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// One training user of synced feedback: a user id is only unique on its device, so the key joins both. The
/// separator is a line feed because ingestion refuses control characters in either id — with a printable
/// separator ("/") device "a" user "b/c" and device "a/b" user "c" were one key, and one device's attributes
/// could land on another device's user.
/// </summary>
public static class FeedbackUserKey
{
    private const char Separator = '\n';

    public static string Of(string deviceId, string userId) => deviceId + Separator + userId;

    /// <summary>The user id of a key made by <see cref="Of"/> (after the first separator: device ids never hold one).</summary>
    public static string UserIdOf(string key) => key[(key.IndexOf(Separator, StringComparison.Ordinal) + 1)..];
}
