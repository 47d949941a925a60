namespace OnDeviceReco.Native;

/// <summary>
/// The handles the calling thread is inside a call on, innermost last. odr_close waits for calls in flight on
/// other threads, but one made from inside a call on the same handle (from a log or async callback) must not
/// wait for that very call: it leaves the disposal to the call's return instead of deadlocking.
/// </summary>
internal static class HeldHandles
{
    [ThreadStatic]
    private static ClientBox?[]? _stack;

    [ThreadStatic]
    private static int _depth;

    public static void Enter(ClientBox box)
    {
        _stack ??= new ClientBox?[4];
        if (_depth == _stack.Length)
        {
            Array.Resize(ref _stack, _depth * 2);
        }
        _stack[_depth++] = box;
    }

    public static void Exit() => _stack![--_depth] = null;

    public static bool Contains(ClientBox box)
    {
        for (int i = 0; i < _depth; i++)
        {
            if (ReferenceEquals(_stack![i], box))
            {
                return true;
            }
        }
        return false;
    }
}
