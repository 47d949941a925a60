using OnDeviceReco.Onboarding;
using OnDeviceReco.Protocol;

namespace OnDeviceReco;

public sealed partial class RecoClient
{
    /// <summary>Largest number of items one <see cref="ProposeOnboardingItems"/> call returns.</summary>
    public const int MaxOnboardingItems = 100;

    /// <summary>
    /// Up to <paramref name="count"/> items to ask a brand-new user about ("which of these do you know and like?"),
    /// in the order to ask them: popular enough to be known, and together covering the catalogue — far apart in the
    /// model's item embeddings and in different categories (categories and popularity only without a model). Items
    /// the user touched or was shown are left out, so calling again after some answers proposes further ones.
    /// Record each answer with <see cref="RecordOnboardingAnswer"/>: the next Recommend uses it.
    /// </summary>
    /// <param name="userId">The new user.</param>
    /// <param name="count">How many items (1–<see cref="MaxOnboardingItems"/>).</param>
    /// <param name="options">Filters (blocked items, candidates, categories); ranking options do not apply.</param>
    /// <exception cref="InvalidEventException">When <paramref name="userId"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="count"/> is not 1–<see cref="MaxOnboardingItems"/>.</exception>
    /// <exception cref="ArgumentException">When the candidate set is empty.</exception>
    public IReadOnlyList<OnboardingItem> ProposeOnboardingItems(string userId, int count, RecommendOptions? options = null)
    {
        EventValidator.ValidateText(userId, nameof(userId), InputLimits.MaxIdBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxOnboardingItems);
        options ??= RecommendOptions.Default;
        if (options.Candidates is { Count: 0 })
        {
            throw new ArgumentException("The candidate set is empty: there is nothing to ask about.", nameof(options));
        }
        return _recommender.ProposeOnboarding(new RecommendationRequest(userId, count, options));
    }

    /// <summary>
    /// Records a new user's answer about an onboarding item as an ordinary event (see <see cref="OnboardingAnswer"/>
    /// for which), marked with the context <c>onboarding=&lt;answer&gt;</c>; it is synced and trained on like any other.
    /// </summary>
    /// <exception cref="InvalidEventException">When an id is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="answer"/> is not an <see cref="OnboardingAnswer"/>.</exception>
    public TrackOutcome RecordOnboardingAnswer(string userId, string itemId, OnboardingAnswer answer)
    {
        var (type, value) = OnboardingContext.EventOf(answer);
        return Track(userId, itemId, type, value, context: OnboardingContext.Of(answer));
    }
}
