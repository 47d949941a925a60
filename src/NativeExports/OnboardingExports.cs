using System.Runtime.InteropServices;

namespace OnDeviceReco.Native;

/// <summary>odr_onboarding_items and odr_onboarding_answer: questions for a brand-new user, and the answers as events.</summary>
internal static unsafe class OnboardingExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_onboarding_items")]
    public static int OdrOnboardingItems(nint handle, byte* userId, int count, NativeRecommendation* items, nuint itemSize, int* outCount) =>
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
            CallerStructs.CheckSize<NativeRecommendation>(itemSize, "item_size");
            string user = Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes);
            if (count is < 1 or > RecoClient.MaxOnboardingItems)
            {
                throw new ArgumentException($"count is {count}; it must be 1–{RecoClient.MaxOnboardingItems}.");
            }
            var proposed = box.Client.ProposeOnboardingItems(user, count);
            for (int i = 0; i < proposed.Count; i++)
            {
                var item = proposed[i];
                NativeRecommendation target = default;
                Utf8Strings.Write(item.ItemId, target.ItemId, NativeRecommendation.IdBytes);
                target.Score = 1.0 / item.Rank; // ask in rank order: the score only restates it
                target.Rank = item.Rank;
                target.Source = (int)item.Source;
                Utf8Strings.Write(item.Reason, target.Reason, NativeRecommendation.ReasonBytes);
                CallerStructs.Write(items, itemSize, i, target);
            }
            *outCount = proposed.Count;
            return ResultCode.Ok;
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_onboarding_answer")]
    public static int OdrOnboardingAnswer(nint handle, byte* userId, byte* itemId, int answer) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (!Enum.IsDefined((OnboardingAnswer)answer))
            {
                throw new ArgumentException($"answer is {answer}; it must be ODR_ANSWER_LIKED, ODR_ANSWER_DISLIKED or ODR_ANSWER_NOT_SEEN.");
            }
            var outcome = box.Client.RecordOnboardingAnswer(
                Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes),
                Utf8Strings.Read(itemId, "item_id", InputLimits.MaxIdBytes),
                (OnboardingAnswer)answer);
            return outcome == TrackOutcome.Accepted ? ResultCode.Ok
                : ErrorMessages.Fail(box, outcome == TrackOutcome.ConsentRevoked ? ResultCode.NoConsent : ResultCode.Full, $"Answer not recorded: {outcome}.");
        });
}
