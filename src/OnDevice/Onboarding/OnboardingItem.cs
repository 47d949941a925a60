namespace OnDeviceReco;

/// <summary>One item to ask a new user about ("have you played it, do you like it?").</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Title">Its title from the model bundle, else its id.</param>
/// <param name="Categories">Its categories (from the model bundle, else the store's item metadata); may be empty.</param>
/// <param name="Rank">Position among the proposed items, from 1: ask in this order.</param>
/// <param name="Reason">Why it was chosen, e.g. "Popular in Racing, a category not asked about yet".</param>
/// <param name="Source"><see cref="RecommendationSource.Model"/> when chosen by the model bundle (its question list or its item embeddings), else <see cref="RecommendationSource.Popularity"/> (categories and popularity only).</param>
public sealed record OnboardingItem(string ItemId, string Title, IReadOnlyList<string> Categories, int Rank, string Reason, RecommendationSource Source);
