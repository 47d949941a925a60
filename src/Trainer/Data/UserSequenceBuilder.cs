namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// Turns events that arrive grouped by user and oldest first into one item sequence per user, the same way for
/// every source: only events that show interest count (not impressions, not dismissals), and immediate repeats of
/// an item are folded into one — a click followed by a rating of the same item is one interaction, not two:
/// repeats would teach "recommend what was just consumed" and put the held-out item into its own history.
/// </summary>
internal sealed class UserSequenceBuilder(ItemVocabulary items)
{
    private readonly List<string> _users = [];
    private readonly List<int[]> _sequences = [];
    private readonly List<int> _current = [];
    private string? _currentUser;

    /// <param name="user">The user's key; a new key closes the previous user's sequence.</param>
    public void Add(string user, string itemId, EventType type)
    {
        if (user != _currentUser)
        {
            Close();
            _currentUser = user;
        }
        if (!EventTypes.IsInteraction(type))
        {
            return;
        }
        int item = items.Add(itemId);
        if (_current.Count == 0 || _current[^1] != item)
        {
            _current.Add(item);
        }
    }

    public InteractionData Build(string name)
    {
        Close();
        return new InteractionData(name, _users, _sequences, items);
    }

    private void Close()
    {
        if (_currentUser is not null && _current.Count > 0)
        {
            _users.Add(_currentUser);
            _sequences.Add([.. _current]);
        }
        _current.Clear();
    }
}
