namespace OnDeviceReco.Native;

/// <summary>
/// One odr_recommend_start request: pending until a library thread has computed the answer, then done (items or
/// an error) or canceled. The answer is copied into C layout once, on the library thread, so odr_poll on the
/// host's thread only copies structs: it never waits for the work (the lock guards a few field writes only).
/// Everything here is managed memory owned by this object, so a request freed, polled and completed on three
/// threads at once cannot touch freed memory.
/// </summary>
internal sealed class PendingRequest
{
    private readonly object _gate = new();
    private NativeRecommendation[] _items = [];
    private string _message = "";
    private volatile int _state = Pending;

    public const int Pending = 0;
    public const int Done = 1;
    public const int Canceled = 2;

    public int State => _state;

    /// <summary>The result code once done (ODR_OK or an ODR_E* code).</summary>
    public int Result { get; private set; }

    public string Message
    {
        get
        {
            lock (_gate)
            {
                return _message;
            }
        }
    }

    /// <summary>The answer; read only after <see cref="State"/> is <see cref="Done"/>, never changed afterwards.</summary>
    public ReadOnlySpan<NativeRecommendation> Items => _items;

    /// <summary>Stores the answer unless the request was canceled meanwhile (then it is dropped).</summary>
    public void Complete(int result, NativeRecommendation[] items, string message)
    {
        lock (_gate)
        {
            if (_state != Pending)
            {
                return;
            }
            _items = items;
            _message = message;
            Result = result;
            _state = Done; // published last: a poll that sees Done sees the fields above
        }
    }

    /// <summary>No answer will be given from now on, whatever the work does; the reason is kept for odr_poll.</summary>
    public void Cancel(string message)
    {
        lock (_gate)
        {
            if (_state == Canceled)
            {
                return;
            }
            _items = [];
            _message = message;
            Result = ResultCode.Canceled;
            _state = Canceled;
        }
    }
}
