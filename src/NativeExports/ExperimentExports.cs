using System.Runtime.InteropServices;
using System.Text;

namespace OnDeviceReco.Native;

/// <summary>odr_experiment_arm: the experiment arm the device is on (RecoClient.Arm), as the label impressions carry.</summary>
internal static unsafe class ExperimentExports
{
    [UnmanagedCallersOnly(EntryPoint = "odr_experiment_arm")]
    public static int OdrExperimentArm(nint handle, byte* buffer, nuint bufferSize, nuint* outLength) => ClientCalls.WithClient(handle, box =>
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
        if (box.Client.Arm is not { } arm)
        {
            if (bufferSize > 0)
            {
                buffer[0] = 0;
            }
            return ResultCode.Ok; // *out_length 0: on no arm
        }
        byte[] label = Encoding.UTF8.GetBytes(arm.Label);
        *outLength = (nuint)label.Length;
        if ((nuint)label.Length + 1 > bufferSize)
        {
            throw new ArgumentException($"buffer_size {bufferSize} is too small: the arm's label needs {label.Length + 1} bytes with its NUL (*out_length says how many without).");
        }
        Marshal.Copy(label, 0, (nint)buffer, label.Length);
        buffer[label.Length] = 0;
        return ResultCode.Ok;
    });
}
