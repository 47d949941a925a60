using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

// Layouts mirror include/ondevicereco.h exactly; a change here is an ABI change. Structs are append-only (see
// "How the structs grow" there), and an appended field comes with a new ODR_ABI_VERSION (tests/native/abi_manifest.txt). tests/native/abi_layout.c asserts the C offsets at compile time and checks at run
// time that what this side writes lands in the C fields, at the caller's stride and size.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeConfig
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

    // ODR_ABI_VERSION 3: which fields leave the device at sync (0 = the default).
    public int SyncContext;
    public int SyncValue;
    public int SyncTime;

    /// <summary>sizeof(odr_config) in the first layout (version 1, up to sync_max_attempts): the smallest a caller may pass.</summary>
    public const int FirstLayoutSize = 64;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NativeSyncResult
{
    public int Status;
    public int EventsSent;
    public int EventsAlreadyOnServer;
    public int Batches;
    public int Attempts;
    public int HttpStatus;
    public long ModelVersion;
    public int ModelUpdated;
    public int RetryAfterMs;
    public int EventsSetAside;
    public int EventsRenumbered;

    // ODR_ABI_VERSION 3.
    public int ErasedOnServer;
    public int ErasuresPending;

    /// <summary>sizeof(odr_sync_result) in the first layout (up to events_renumbered, which sat in its padding): the smallest a caller may pass.</summary>
    public const int FirstLayoutSize = 48;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeRecommendation
{
    public const int IdBytes = 257;
    public const int ReasonBytes = 256;
    public const int RequestIdBytes = 33;
    public double Score;
    public int Rank;
    public int Source;
    public int IsExploration;
    public fixed byte ItemId[IdBytes];
    public fixed byte Reason[ReasonBytes];
    public fixed byte RequestId[RequestIdBytes];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeRecentItem
{
    public long TimestampMs;
    public double Value;
    public int Type;
    public fixed byte ItemId[NativeRecommendation.IdBytes];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeProfile
{
    public const int TopCategories = 5;
    public const int CategoryBytes = 65;
    public int TotalEvents;
    public int SessionCount;
    public long FirstSeenMs;
    public long LastSeenMs;
    public fixed double CategoryScores[TopCategories];
    public int CategoryCount;
    public fixed byte Categories[TopCategories * CategoryBytes];
}
