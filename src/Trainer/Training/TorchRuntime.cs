using System.Runtime.InteropServices;
using TorchSharp;

namespace OnDeviceReco.Trainer.Training;

/// <summary>Process-wide settings that make libtorch fast and repeatable on a small CPU machine.</summary>
public static partial class TorchRuntime
{
    private const int MallocTrimThreshold = -1;
    private const int MallocMmapThreshold = -3;
    private static int _configured;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    /// <summary>Call before the first tensor is created.</summary>
    public static void Configure(int threads, int seed)
    {
        if (Interlocked.Exchange(ref _configured, 1) == 0 && OperatingSystem.IsLinux())
        {
            // Touching freshly mapped pages is slow on this kind of VM; keeping big buffers on the heap and
            // not trimming it made epochs several times faster. Idle OpenMP threads must not spin either.
            Mallopt(MallocMmapThreshold, 1 << 30);
            Mallopt(MallocTrimThreshold, int.MaxValue);
            SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
        }
        torch.set_num_threads(Math.Max(1, threads));
        torch.manual_seed(seed);
    }
}
