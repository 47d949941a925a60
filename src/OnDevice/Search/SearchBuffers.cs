namespace OnDeviceReco.Search;

/// <summary>
/// The working memory of one <see cref="CompactSearch.TopK(OnDeviceReco.Protocol.CompactItemTable, ReadOnlySpan{float}, int, SearchBuffers, ReadOnlySpan{int})"/>
/// call, allocated once per shortlist size and reused, so a search allocates only its result array. One instance
/// serves one call at a time.
/// </summary>
internal sealed class SearchBuffers(int groups, int shortlist)
{
    public QuantizedUser User { get; } = new(groups);
    public CandidateBuffer Candidates { get; } = new(shortlist);

    /// <summary>Rescored candidates as sortable keys (<see cref="CompactSearch"/>).</summary>
    public ulong[] Keys { get; } = new ulong[shortlist];
}
