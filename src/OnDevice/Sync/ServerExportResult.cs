namespace OnDeviceReco;

/// <summary>How a fetch of the server's export ended.</summary>
public enum ServerExportStatus
{
    /// <summary>The server's export of what it holds under this device was written to the destination.</summary>
    Completed = 0,
    /// <summary>This device's identity never contacted a server, so the server holds nothing under it; nothing was sent or written.</summary>
    NothingOnServer = 1,
    /// <summary>The server could not be reached or kept failing (network, timeouts, 5xx, 429); nothing was written. Try again later.</summary>
    Unreachable = 2,
    /// <summary>The server refused for good (a bad API key, a server without exports); nothing was written.</summary>
    Refused = 3,
    /// <summary>The server erased this identity's data (410): it holds nothing under it and never will again.</summary>
    Erased = 4,
}

/// <summary>What <c>RecoClient.ExportServerDataAsync</c> did.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Bytes">Bytes of JSON written to the destination (0 unless <see cref="ServerExportStatus.Completed"/>).</param>
/// <param name="HttpStatus">Status of the last failed response, when there was one.</param>
/// <param name="Error">Why it did not complete, or null.</param>
public sealed record ServerExportResult(ServerExportStatus Status, long Bytes, int? HttpStatus, string? Error);
