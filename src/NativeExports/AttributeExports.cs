using System.Runtime.InteropServices;
using System.Text;

namespace OnDeviceReco.Native;

/// <summary>
/// User attributes from C (odr_set_user_attribute, odr_remove_user_attribute, odr_get_user_attribute). Other channels
/// need no function of their own: they are event types (ODR_EVENT_SEARCH, ODR_EVENT_STORE_VISIT) for odr_track.
/// </summary>
internal static unsafe class AttributeExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_set_user_attribute")]
    public static int OdrSetUserAttribute(nint handle, byte* userId, byte* key, byte* value) =>
        ClientCalls.WithClient(handle, box =>
        {
            var outcome = box.Client.SetUserAttribute(
                Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes),
                Utf8Strings.Read(key, "key", InputLimits.MaxAttributeKeyBytes),
                Utf8Strings.Read(value, "value", InputLimits.MaxAttributeValueBytes));
            return outcome == TrackOutcome.Accepted
                ? ResultCode.Ok
                : ErrorMessages.Fail(box, ResultCode.NoConsent, "Consent is revoked: the attribute was not recorded.");
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_remove_user_attribute")]
    public static int OdrRemoveUserAttribute(nint handle, byte* userId, byte* key, int* outRemoved) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (outRemoved is not null)
            {
                *outRemoved = 0;
            }
            bool removed = box.Client.RemoveUserAttribute(
                Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes),
                Utf8Strings.Read(key, "key", InputLimits.MaxAttributeKeyBytes));
            if (outRemoved is not null)
            {
                *outRemoved = removed ? 1 : 0;
            }
            return ResultCode.Ok;
        });

    [UnmanagedCallersOnly(EntryPoint = "odr_get_user_attribute")]
    public static int OdrGetUserAttribute(nint handle, byte* userId, byte* key, byte* buffer, nuint bufferSize, nuint* outLength) =>
        ClientCalls.WithClient(handle, box =>
        {
            if (outLength is null)
            {
                throw new ArgumentException("out_length must not be NULL.");
            }
            *outLength = 0;
            if (buffer is null && bufferSize != 0)
            {
                throw new ArgumentException("buffer is NULL but buffer_size is not 0.");
            }
            var attributes = box.Client.GetUserAttributes(Utf8Strings.Read(userId, "user_id", InputLimits.MaxIdBytes));
            if (!attributes.TryGetValue(Utf8Strings.Read(key, "key", InputLimits.MaxAttributeKeyBytes), out var value))
            {
                if (bufferSize > 0)
                {
                    buffer[0] = 0;
                }
                return ResultCode.Ok; // *out_length 0: the user has no such attribute (values are never empty)
            }
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            *outLength = (nuint)bytes.Length;
            if ((nuint)bytes.Length + 1 > bufferSize)
            {
                throw new ArgumentException($"buffer_size {bufferSize} is too small: the value needs {bytes.Length + 1} bytes with its NUL (*out_length says how many without).");
            }
            Marshal.Copy(bytes, 0, (nint)buffer, bytes.Length);
            buffer[bytes.Length] = 0;
            return ResultCode.Ok;
        });
}
