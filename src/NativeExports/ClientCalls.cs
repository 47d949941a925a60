using System.Runtime.CompilerServices;

namespace OnDeviceReco.Native;

/// <summary>
/// The one frame of every export that takes an odr_client. Each export catches everything: an exception crossing
/// into C would abort the host. Arguments are checked before use; a failure returns a code and leaves a message
/// (odr_errmsg/odr_last_error, see <see cref="ErrorMessages"/>).
/// </summary>
internal static class ClientCalls
{
    /// <summary>
    /// Resolves the handle, holds it for the length of the call (so a concurrent odr_close waits instead of
    /// disposing the client under it) and runs the body under the catch-all every export needs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int WithClient(nint handle, Func<ClientBox, int> body)
    {
        var box = HandleTable<ClientBox>.Find(handle);
        if (box is null || !box.TryAcquire())
        {
            return ErrorMessages.Fail(null, ResultCode.State, "Not an open odr_client handle (NULL, closed, or not from odr_open).");
        }
        ThreadFrames<ClientBox>.Enter(box);
        try
        {
            return body(box);
        }
        catch (Exception e)
        {
            return ErrorMessages.Fail(box, e);
        }
        finally
        {
            ThreadFrames<ClientBox>.Exit();
            box.Release();
        }
    }
}
