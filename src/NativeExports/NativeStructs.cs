using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

// Layouts mirror include/ondevicereco.h exactly; a change here is an ABI change.

/// <summary>The first layout of odr_config; a caller compiled against it passes this struct_size.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeConfigV1
{
    public uint StructSize;
    public byte* DatabasePath;
    public byte* TrustedKeyPem;
    public long MaxEvents;
    public int FlushIntervalMs;
    public int InitialConsent;
    public int InferenceThreads;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeConfig
{
    public NativeConfigV1 V1;
    public byte* SyncUrl;
    public byte* SyncApiKey;
    public int SyncIntervalSeconds;
    public int SyncMaxAttempts;
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
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeRecommendation
{
    public const int IdBytes = 257;
    public const int ReasonBytes = 256;
    public const int RequestIdBytes = 33;
    public fixed byte ItemId[IdBytes];
    public double Score;
    public int Rank;
    public int Source;
    public int IsExploration;
    public fixed byte Reason[ReasonBytes];
    public fixed byte RequestId[RequestIdBytes];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeRecentItem
{
    public fixed byte ItemId[NativeRecommendation.IdBytes];
    public int Type;
    public long TimestampMs;
    public double Value;
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
    public int CategoryCount;
    public fixed byte Categories[TopCategories * CategoryBytes];
    public fixed double CategoryScores[TopCategories];
}
