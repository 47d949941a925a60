using Microsoft.ML.OnnxRuntime;

namespace OnDeviceReco.Inference;

/// <summary>
/// Creates an ONNX Runtime session from verified model bytes, choosing the execution provider. DirectML is
/// tried only on Windows; when the DirectML build of ONNX Runtime is absent, appending it throws (an entry
/// point or "not supported in this build"), which is caught and the CPU provider used instead.
/// </summary>
internal static class SessionFactory
{
    public const string Cpu = "CPUExecutionProvider";
    public const string DirectML = "DmlExecutionProvider";

    public static (InferenceSession Session, string Provider, string? FallbackReason) Create(byte[] model, InferenceOptions options)
    {
        string? fallback = null;
        if (options.Provider == ExecutionProviderPreference.Auto)
        {
            if (OperatingSystem.IsWindows())
            {
                var dml = BaseOptions(options);
                try
                {
                    dml.AppendExecutionProvider_DML(0);
                    return (new InferenceSession(model, dml), DirectML, null);
                }
                catch (Exception e) when (e is EntryPointNotFoundException or OnnxRuntimeException or DllNotFoundException)
                {
                    dml.Dispose();
                    fallback = $"DirectML unavailable: {e.Message}";
                }
            }
            else
            {
                fallback = "DirectML runs only on Windows";
            }
        }
        return (new InferenceSession(model, BaseOptions(options)), Cpu, fallback);
    }

    private static SessionOptions BaseOptions(InferenceOptions options) => new()
    {
        IntraOpNumThreads = options.IntraOpThreads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };
}
