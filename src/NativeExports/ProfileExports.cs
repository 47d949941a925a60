using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_recent_sequence and odr_get_profile: what the device knows about a user.</summary>
internal static unsafe class ProfileExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_recent_sequence")]
    public static int OdrRecentSequence(nint handle, byte* userId, int max, NativeRecentItem* items, nuint itemSize, int* outCount) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (outCount is not null)
            {
                *outCount = 0;
            }
            if (items is null || outCount is null)
            {
                throw new ArgumentException("items and out_count must not be NULL.");
            }
            CallerStructs.CheckSize<NativeRecentItem>(itemSize, "item_size");
            var recent = box.Client.GetRecentSequence(Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes), max);
            for (int i = 0; i < recent.Count; i++)
            {
                NativeRecentItem item = default;
                Utf8Strings.Write(recent[i].ItemId, item.ItemId, NativeRecommendation.IdBytes);
                item.Type = (int)recent[i].Type;
                item.TimestampMs = recent[i].Timestamp.ToUnixTimeMilliseconds();
                item.Value = recent[i].Value;
                CallerStructs.Write(items, itemSize, i, item);
            }
            *outCount = recent.Count;
            return ResultCode.Ok;
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_get_profile")]
    public static int OdrProfile(nint handle, byte* userId, NativeProfile* profilePointer, nuint profileSize) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (profilePointer is null)
            {
                throw new ArgumentException("profile must not be NULL.");
            }
            CallerStructs.CheckSize<NativeProfile>(profileSize, "profile_size");
            var p = box.Client.GetProfile(Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes));
            NativeProfile profile = default;
            profile.TotalEvents = p.TotalEvents;
            profile.SessionCount = p.SessionCount;
            profile.FirstSeenMs = p.FirstSeen?.ToUnixTimeMilliseconds() ?? 0;
            profile.LastSeenMs = p.LastSeen?.ToUnixTimeMilliseconds() ?? 0;
            var top = p.CategoryAffinities.Take(NativeProfile.TopCategories).ToList();
            profile.CategoryCount = top.Count;
            for (int i = 0; i < top.Count; i++)
            {
                Utf8Strings.Write(top[i].Category, profile.Categories + i * NativeProfile.CategoryBytes, NativeProfile.CategoryBytes);
                profile.CategoryScores[i] = top[i].Score;
            }
            CallerStructs.Write(profilePointer, profileSize, 0, profile);
            return ResultCode.Ok;
        });
}
