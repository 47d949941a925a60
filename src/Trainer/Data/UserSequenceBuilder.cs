namespace OnDeviceReco.Trainer.Data;

/// <summary>
/// Turns events that arrive grouped by user and oldest first into one item sequence per user, the same way for
/// every source: only events that show interest count (not impressions, not dismissals), and immediate repeats of
/// an item are folded into one — a click followed by a rating of the same item is one interaction, not two:
/// repeats would teach "recommend what was just consumed" and put the held-out item into its own history.
/// With <paramref name="collectShown"/>, impressions of items the user never took afterwards are kept as
/// <see cref="ShownItem"/>s (their items join the vocabulary).
/// </summary>
internal sealed class UserSequenceBuilder(ItemVocabulary items, bool collectShown = false)
{
    private readonly List<ShownItem[]> _shown = [];
    private readonly List<ShownItem> _currentShown = [];
    private readonly List<string> _users = [];
    private readonly List<int[]> _sequences = [];
    private readonly List<int> _current = [];
    private readonly List<bool[]> _sameTime = [];
    private readonly List<bool> _currentSameTime = [];
    private readonly List<long[]> _times = [];
    private readonly List<long> _currentTimes = [];
    private string? _currentUser;
    private long? _lastTime;
    private bool _timed;

    /// <param name="user">The user's key; a new key closes the previous user's sequence.</param>
    /// <param name="time">The event's timestamp when the source's order among equal times is not the user's own
    /// (rows of a file sorted by time): equal times are then marked in <see cref="InteractionData.SameTime"/>.</param>
    public void Add(string user, string itemId, EventType type, long? time = null)
    {
        if (user != _currentUser)
        {
            Close();
            _currentUser = user;
            _lastTime = null;
        }
        _timed |= time is not null;
        if (!EventTypes.IsInteraction(type))
        {
            if (collectShown && type == EventType.Impression)
            {
                _currentShown.Add(new ShownItem(_current.Count, items.Add(itemId)));
            }
            return;
        }
        int item = items.Add(itemId);
        if (_current.Count == 0 || _current[^1] != item)
        {
            _currentSameTime.Add(_current.Count > 0 && time is not null && time == _lastTime);
            _current.Add(item);
            _currentTimes.Add(time ?? 0);
            _lastTime = time;
        }
    }

    public InteractionData Build(string name)
    {
        Close();
        return new InteractionData(name, _users, _sequences, items, collectShown ? _shown : null, _timed ? _sameTime : null,
            _timed ? _times : null);
    }

    private void Close()
    {
        if (_currentUser is not null && _current.Count > 0)
        {
            _users.Add(_currentUser);
            _sequences.Add([.. _current]);
            _sameTime.Add([.. _currentSameTime]);
            _times.Add([.. _currentTimes]);
            if (collectShown)
            {
                // Taken at any time after being shown means it was not a rejection: the rest were passed over.
                _shown.Add(_currentShown.Where(s => _current.IndexOf(s.Item, s.From) < 0).DistinctBy(s => s.Item).ToArray());
            }
        }
        _current.Clear();
        _currentShown.Clear();
        _currentSameTime.Clear();
        _currentTimes.Clear();
    }
}
