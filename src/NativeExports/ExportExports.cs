using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_export_json and odr_export_server_json: the user's data, from the device and from the server, as JSON files.</summary>
internal static unsafe class ExportExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_export_json")]
    public static int OdrExportJson(nint handle, byte* userId, byte* path) => ClientCalls.WithClient(handle, box =>
    {
        string? user = Utf8Strings.ReadOptional(userId, "user_id", InputLimits.MaxIdBytes);
        string target = Utf8Strings.Read(path, "path", Utf8Strings.MaxPathBytes);
        ExportFile.Write(target, stream => box.Client.ExportData(stream, user));
        return ResultCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "odr_export_server_json")]
    public static int OdrExportServerJson(nint handle, byte* path) => ClientCalls.WithClient(handle, box =>
    {
        string target = Utf8Strings.Read(path, "path", Utf8Strings.MaxPathBytes);
        // Fetched into memory first: a failed fetch must not replace or leave a file.
        using var fetched = new MemoryStream();
        var result = box.Client.ExportServerDataAsync(fetched).GetAwaiter().GetResult();
        switch (result.Status)
        {
            case ServerExportStatus.Completed:
                ExportFile.Write(target, stream => fetched.WriteTo(stream));
                return ResultCode.Ok;
            case ServerExportStatus.NothingOnServer:
                return ResultCode.NothingOnServer;
            case ServerExportStatus.Unreachable:
                return ErrorMessages.Fail(box, ResultCode.Io, result.Error ?? "The server could not be reached.");
            case ServerExportStatus.Erased:
                return ErrorMessages.Fail(box, ResultCode.Refused, "The server erased this device's identity: it holds nothing under it. " + result.Error);
            default:
                return ErrorMessages.Fail(box, ResultCode.Refused, result.Error ?? "The server refused the export.");
        }
    });
}

/// <summary>Writes an export beside its final name and renames it into place: a failure leaves no partial file.</summary>
internal static class ExportFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) // gone already when the move succeeded, never made when the directory is missing
            {
                File.Delete(temporary);
            }
        }
    }
}
