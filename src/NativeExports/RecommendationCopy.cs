namespace OnDeviceReco.Native;

/// <summary>A managed recommendation list in the C layout, at the caller's stride (odr_recommend, its async and polled forms).</summary>
internal static unsafe class RecommendationCopy
{
    internal static void Copy(RecommendationList list, NativeRecommendation* results, nuint itemSize)
    {
        for (int i = 0; i < list.Count; i++)
        {
            var item = list[i];
            NativeRecommendation target = default;
            Utf8Strings.Write(item.ItemId, target.ItemId, NativeRecommendation.IdBytes);
            target.Score = item.Score;
            target.Rank = item.Rank;
            target.Source = (int)item.Source;
            target.IsExploration = item.IsExploration ? 1 : 0;
            Utf8Strings.Write(item.Reason, target.Reason, NativeRecommendation.ReasonBytes);
            Utf8Strings.Write(list.RequestId, target.RequestId, NativeRecommendation.RequestIdBytes);
            CallerStructs.Write(results, itemSize, i, target);
        }
    }
}
