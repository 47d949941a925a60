using Microsoft.ML.OnnxRuntime;

namespace OnDeviceReco.WindowsHost;

/// <summary>
/// Loads ONNX Runtime on a background thread as soon as the runtime has started, so that odr_load_model finds it ready.
/// Under Wine, loading onnxruntime.dll, binding its API and creating its environment took 120–190 ms of
/// odr_load_model; begun here it runs on another core while the host is still in odr_open (docs/windows.md). It reads
/// no file but the runtime's own DLL, and the environment it creates is the one every session uses
/// (<see cref="OrtEnv.Instance"/>), so nothing changes but when that happens.
/// </summary>
internal static class OnnxRuntimeWarmUp
{
    /// <summary>Starts the warm-up; never throws (without it, the first model load does the same work itself).</summary>
    public static void Start()
    {
        try
        {
            Begin();
        }
        catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
        {
            // Nothing lost: odr_load_model loads ONNX Runtime itself.
        }
    }

    private static void Begin()
    {
        var thread = new Thread(static () =>
        {
            try
            {
                OrtEnv.Instance();
            }
            catch
            {
                // A library that cannot load fails again, and is reported, where a model is loaded.
            }
        })
        { IsBackground = true, Name = "ondevicereco onnxruntime warm-up" };
        thread.Start();
    }
}
