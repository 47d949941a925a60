using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_open and odr_close: a client handle's whole life.</summary>
internal static unsafe class LifecycleExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_open")]
    public static int OdrOpen(void* configPointer, nint* outClient)
    {
        try
        {
            if (outClient is null)
            {
                return ErrorMessages.Fail(null, ResultCode.InvalidArgument, "out_client is NULL.");
            }
            *outClient = 0;
            if (configPointer is null)
            {
                return ErrorMessages.Fail(null, ResultCode.InvalidArgument, "config is NULL.");
            }
            var config = CallerStructs.ReadSized<NativeConfig>(configPointer, "config", "odr_config", NativeConfig.FirstLayoutSize);
            string path = Utf8Strings.Read(config.DatabasePath, "config->database_path", Utf8Strings.MaxPathBytes);
            string? key = Utf8Strings.ReadOptional(config.TrustedKeyPem, "config->trusted_key_pem", Utf8Strings.MaxKeyBytes);
            if (config.InitialConsent is < 0 or > 3 || config.MaxEvents < 0 || config.FlushIntervalMs < 0 || config.InferenceThreads is < 0 or > 64
                || config.SyncIntervalSeconds < 0 || config.SyncMaxAttempts is < 0 or > 100
                || config.SyncContext is < 0 or > (int)SyncedContext.All || config.SyncValue is < 0 or > 2 || config.SyncTime is < 0 or > (int)TimePrecision.Day)
            {
                return ErrorMessages.Fail(null, ResultCode.InvalidArgument, "config holds a negative or out-of-range number.");
            }
            var client = new RecoClient(ClientConfig.From(&config, path, key));
            *outClient = HandleTable<ClientBox>.Add(new ClientBox(client));
            return ResultCode.Ok;
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "odr_close")]
    public static int OdrClose(nint handle)
    {
        try
        {
            if (handle == 0)
            {
                return ResultCode.Ok; // like free(NULL)
            }
            var box = HandleTable<ClientBox>.Remove(handle);
            if (box is null)
            {
                return ErrorMessages.Fail(null, ResultCode.State, "Not an open odr_client handle (already closed, or not from odr_open).");
            }
            // Waits for calls in flight on other threads; the client is disposed by whichever finishes last.
            var error = box.Close();
            if (HandleTable<ClientBox>.IsEmpty)
            {
                // The last client is gone, typically before the host unloads the library (which stays resident,
                // see the header): give the managed heap back to the OS now instead of whenever the GC next runs,
                // so that load/close cycles of a plugin host do not ratchet memory up (tests/native/plugin_host.c).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
            return error is null ? ResultCode.Ok : ErrorMessages.Fail(null, error);
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(null, e);
        }
    }
}
