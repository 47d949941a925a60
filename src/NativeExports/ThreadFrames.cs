namespace OnDeviceReco.Native;

/// <summary>
/// What the calling thread is inside of right now (handles it is in a call on, log callbacks it is running),
/// innermost last. Closing a handle or replacing the log callback waits for the calls in flight on other
/// threads, but must not wait for a call on the caller's own stack (a callback closing its handle, or swapping
/// the log callback): that call can only finish after the wait, so waiting would deadlock.
/// </summary>
internal static class ThreadFrames<T> where T : class
{
    [ThreadStatic]
    private static T?[]? _stack;

    [ThreadStatic]
    private static int _depth;

    public static void Enter(T item)
    {
        _stack ??= new T?[4];
        if (_depth == _stack.Length)
        {
            Array.Resize(ref _stack, _depth * 2);
        }
        _stack[_depth++] = item;
    }

    public static void Exit() => _stack![--_depth] = null;

    /// <summary>How many frames of <paramref name="item"/> the calling thread is inside.</summary>
    public static int Count(T item)
    {
        int count = 0;
        for (int i = 0; i < _depth; i++)
        {
            if (ReferenceEquals(_stack![i], item))
            {
                count++;
            }
        }
        return count;
    }
}
