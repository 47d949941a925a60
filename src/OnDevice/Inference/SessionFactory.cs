using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace OnDeviceReco.Inference;

/// <summary>
/// Creates an ONNX Runtime session from verified model bytes, choosing the execution provider. DirectML is
/// tried only on Windows and only when the loaded ONNX Runtime exports its entry point (the DirectML build); when
/// appending it still fails ("not supported in this build", no device), that is caught and the CPU provider used instead.
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
                // Asked before trying: a failed append costs an exception, slow where it is always the answer (every
                // ONNX Runtime build but the DirectML one).
                if (MissingExport(DirectMLEntryPoint) is { } missing)
                {
                    fallback = $"DirectML unavailable: {missing}";
                }
                else
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
            }
            else
            {
                fallback = "DirectML runs only on Windows";
            }
        }
        return (new InferenceSession(model, BaseOptions(options)), Cpu, fallback);
    }

    private const string DirectMLEntryPoint = "OrtSessionOptionsAppendExecutionProvider_DML";

    /// <summary>Why the loaded ONNX Runtime lacks <paramref name="entryPoint"/>, or null when it has it.</summary>
    private static string? MissingExport(string entryPoint)
    {
        if (!NativeLibrary.TryLoad("onnxruntime", typeof(InferenceSession).Assembly, null, out nint library))
        {
            return "the onnxruntime library could not be loaded to look for the DirectML provider.";
        }
        return NativeLibrary.TryGetExport(library, entryPoint, out _)
            ? null
            : $"this ONNX Runtime build has no DirectML provider (onnxruntime exports no {entryPoint}).";
    }

    private static SessionOptions BaseOptions(InferenceOptions options) => new()
    {
        IntraOpNumThreads = options.IntraOpThreads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };
}
