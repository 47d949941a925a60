// A .NET host of the OnDeviceReco C library: open a store, record a few plays, ask for recommendations
// (blocking and async), read the profile, show an error, close. Exits non-zero on any failure.
// Usage: NativeHost <directory holding libondevicereco.so> <database path> [bundle dir] [public key pem]
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Odr;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: NativeHost <library directory> <database> [bundle dir] [public key pem]");
    return 2;
}
// The library is not beside the app: resolve "ondevicereco" to the given directory. Its own dependencies
// (libe_sqlite3, libonnxruntime) are found through its RUNPATH $ORIGIN.
string libraryPath = Path.GetFullPath(Path.Combine(args[0], "libondevicereco.so"));
NativeLibrary.SetDllImportResolver(typeof(Odr).Assembly, (name, _, _) =>
    name == Library ? NativeLibrary.Load(libraryPath) : IntPtr.Zero);

try
{
    return Sample.Run(args);
}
catch (OdrException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

internal static unsafe class Sample
{
    public static int Run(string[] args)
    {
        if (odr_abi_version() < AbiVersion)
        {
            throw new OdrException($"library ABI {odr_abi_version()} is older than the {AbiVersion} this host needs");
        }
        odr_set_log_callback(&OnLog, null);

        // Marshalled by hand: the config holds pointers, and they only need to live for the odr_open call.
        byte[]? key = args.Length > 3 ? [.. File.ReadAllBytes(args[3]), 0] : null;
        byte[] database = [.. System.Text.Encoding.UTF8.GetBytes(args[1]), 0];
        nint client;
        fixed (byte* databasePtr = database)
        fixed (byte* keyPtr = key)
        {
            var config = new Config
            {
                StructSize = (uint)sizeof(Config),
                DatabasePath = databasePtr,
                TrustedKeyPem = keyPtr,
                InitialConsent = ConsentLocalOnly,
            };
            if (odr_open(&config, &client) != Ok)
            {
                throw new OdrException($"odr_open: {Text(odr_last_error())}");
            }
        }
        Console.WriteLine($"OnDeviceReco {Text(odr_version())} (ABI {odr_abi_version()}) from .NET {Environment.Version}");
        try
        {
            if (args.Length > 3)
            {
                long version;
                Check(client, odr_load_model(client, args[2], &version), "odr_load_model");
                Console.WriteLine($"model v{version} loaded");
            }
            // MovieLens ids, so a model trained on the repo's data recognises them; any ids work without one.
            foreach (string item in new[] { "1", "260", "1196" })
            {
                Check(client, odr_track(client, "player-1", item, EventPlay, 0, 0), "odr_track");
            }
            for (int i = 0; i < 5; i++)
            {
                Check(client, odr_track(client, "someone-else", "2571", EventPlay, 0, 0), "odr_track");
            }
            Check(client, odr_flush(client), "odr_flush");

            Recommendation* results = stackalloc Recommendation[5];
            int count;
            Check(client, odr_recommend(client, "player-1", 5, results, (nuint)sizeof(Recommendation), &count), "odr_recommend");
            if (count == 0)
            {
                throw new OdrException("odr_recommend returned no items");
            }
            for (int i = 0; i < count; i++)
            {
                Recommendation* r = &results[i];
                Console.WriteLine($"{r->Rank}. {Text(r->ItemId)} score={r->Score:F4} source={r->Source} {Text(r->Reason)}");
            }

            Profile profile;
            Check(client, odr_get_profile(client, "player-1", &profile, (nuint)sizeof(Profile)), "odr_get_profile");
            var categories = new List<string>();
            for (int i = 0; i < profile.CategoryCount; i++)
            {
                categories.Add($"{Text(&profile.Categories[i * Profile.CategoryBytes])} {profile.CategoryScores[i]:F2}");
            }
            Console.WriteLine($"profile: {profile.TotalEvents} events, {profile.SessionCount} sessions{(categories.Count > 0 ? "; " + string.Join(", ", categories) : "")}");

            // An error path: an empty user id is refused before anything is recorded, with a message on the handle.
            int rc = odr_track(client, "", "1", EventPlay, 0, 0);
            if (rc != EInval)
            {
                throw new OdrException($"empty user id returned {rc}, expected ODR_EINVAL");
            }
            Console.WriteLine($"empty user id -> {Text(odr_errstr(rc))}: {Text(odr_errmsg(client))}");

            // Async: the answer arrives on a library thread; user_data carries a GCHandle to the waiting task.
            var pending = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var handle = GCHandle.Alloc(pending);
            try
            {
                Check(client, odr_recommend_async(client, "player-1", 3, (nuint)sizeof(Recommendation), &OnRecommend, (void*)GCHandle.ToIntPtr(handle)), "odr_recommend_async");
                if (!pending.Task.Wait(TimeSpan.FromSeconds(30)))
                {
                    throw new OdrException("odr_recommend_async: no callback within 30 s");
                }
                Console.WriteLine($"async: {pending.Task.Result}");
            }
            catch (AggregateException e)
            {
                throw new OdrException(e.InnerException?.Message ?? e.Message);
            }
            finally
            {
                // Only freed once the callback has run (or can no longer run): it dereferences the handle.
                if (pending.Task.IsCompleted)
                {
                    handle.Free();
                }
            }
        }
        finally
        {
            int closed = odr_close(client);
            odr_set_log_callback(null, null);
            if (closed != Ok)
            {
                throw new OdrException($"odr_close: {Text(odr_errstr(closed))}");
            }
        }
        return 0;
    }

    private static void Check(nint client, int rc, string what)
    {
        if (rc != Ok)
        {
            throw new OdrException($"{what}: {Text(odr_errstr(rc))} ({Text(odr_errmsg(client))})");
        }
    }

    // Library-owned strings: read, never freed.
    private static string Text(byte* utf8) => Marshal.PtrToStringUTF8((nint)utf8) ?? "?";

    // Exceptions must not unwind into the library: an UnmanagedCallersOnly method that throws ends the process.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(void* userData, int level, byte* message)
    {
        if (level >= 3)
        {
            Console.Error.WriteLine($"[odr {level}] {Text(message)}");
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnRecommend(void* userData, int result, Recommendation* items, int count)
    {
        var pending = (TaskCompletionSource<string>)GCHandle.FromIntPtr((nint)userData).Target!;
        try
        {
            // items is only valid during this call: copy what is kept.
            var names = new List<string>();
            for (int i = 0; i < count; i++)
            {
                names.Add($"{items[i].Rank}. {Text(items[i].ItemId)}");
            }
            if (result == Ok && count > 0)
            {
                pending.TrySetResult(string.Join(", ", names));
            }
            else
            {
                pending.TrySetException(new OdrException($"odr_recommend_async completed with {Text(odr_errstr(result))}, {count} items"));
            }
        }
        catch (Exception e)
        {
            pending.TrySetException(e);
        }
    }
}

internal sealed class OdrException(string message) : Exception(message);

// The C ABI, mirrored from ondevicereco.h. Every type here is blittable, so the calls need no marshalling
// stubs beyond UTF-8 for the string arguments.
internal static unsafe partial class Odr
{
    public const string Library = "ondevicereco";
    // The ABI version that added everything declared here: any library at least that new serves this host (the ABI only grows).
    public const int AbiVersion = 1;
    public const int Ok = 0, EInval = 1;
    public const int EventPlay = 3;
    public const int ConsentLocalOnly = 3;

    [StructLayout(LayoutKind.Sequential)]
    public struct Config
    {
        public uint StructSize;
        public int InitialConsent;
        public byte* DatabasePath;
        public byte* TrustedKeyPem;
        public byte* SyncUrl;
        public byte* SyncApiKey;
        public long MaxEvents;
        public int FlushIntervalMs;
        public int InferenceThreads;
        public int SyncIntervalSeconds;
        public int SyncMaxAttempts;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Recommendation
    {
        public double Score;
        public int Rank;
        public int Source;
        public int IsExploration;
        public fixed byte ItemId[257];
        public fixed byte Reason[256];
        public fixed byte RequestId[33];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Profile
    {
        public const int CategoryBytes = 65;
        public int TotalEvents;
        public int SessionCount;
        public long FirstSeenMs;
        public long LastSeenMs;
        public fixed double CategoryScores[5];
        public int CategoryCount;
        public fixed byte Categories[5 * CategoryBytes]; // char categories[5][65]
    }

    // Strings the library returns are declared as byte*, not string: a string return would make the
    // marshaller free memory the library owns.
    [LibraryImport(Library)] public static partial byte* odr_version();
    [LibraryImport(Library)] public static partial int odr_abi_version();
    [LibraryImport(Library)] public static partial byte* odr_errstr(int code);
    [LibraryImport(Library)] public static partial byte* odr_errmsg(nint client);
    [LibraryImport(Library)] public static partial byte* odr_last_error();
    [LibraryImport(Library)] public static partial int odr_set_log_callback(delegate* unmanaged[Cdecl]<void*, int, byte*, void> callback, void* userData);
    [LibraryImport(Library)] public static partial int odr_open(Config* config, nint* client);
    [LibraryImport(Library)] public static partial int odr_close(nint client);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int odr_track(nint client, string userId, string itemId, int eventType, double value, long timestampMs);
    [LibraryImport(Library)] public static partial int odr_flush(nint client);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int odr_recommend(nint client, string userId, int count, Recommendation* results, nuint itemSize, int* outCount);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int odr_recommend_async(nint client, string userId, int count, nuint itemSize,
        delegate* unmanaged[Cdecl]<void*, int, Recommendation*, int, void> callback, void* userData);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int odr_get_profile(nint client, string userId, Profile* profile, nuint profileSize);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int odr_load_model(nint client, string bundleDir, long* outVersion);
}
