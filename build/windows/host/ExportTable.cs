using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;

namespace OnDeviceReco.WindowsHost;

/// <summary>
/// What ondevicereco.dll's native shim calls once, right after starting the runtime: the address of every C function
/// it forwards, looked up by the C name in the same [UnmanagedCallersOnly(EntryPoint = ...)] attributes from which
/// NativeAOT builds the Linux library's exports, so both packagings export the same methods by construction.
/// </summary>
internal static unsafe class ExportTable
{
    /// <summary>
    /// Fills <paramref name="addresses"/>[i] with the entry point of the function named <paramref name="names"/>[i]
    /// (UTF-8), or 0 when none has that name. Returns how many were found; never throws (no exception crosses the ABI).
    /// </summary>
    [UnmanagedCallersOnly]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The exports assembly is a TrimmerRootAssembly: all of its types and methods are kept.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The exports assembly is a TrimmerRootAssembly: all of its types and methods are kept.")]
    [UnconditionalSuppressMessage("Trimming", "IL2065", Justification = "The exports assembly is a TrimmerRootAssembly: all of its types and methods are kept.")]
    public static int Resolve(byte** names, nint* addresses, int count)
    {
        try
        {
            var byName = new Dictionary<string, nint>(StringComparer.Ordinal);
            Assembly exports = Assembly.Load("ondevicereco");
            foreach (Type type in exports.GetTypes())
            {
                foreach (MethodInfo method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    if (method.GetCustomAttribute<UnmanagedCallersOnlyAttribute>()?.EntryPoint is { } entryPoint)
                    {
                        // For an [UnmanagedCallersOnly] method this is the native-callable entry, as ldftn gives it.
                        byName[entryPoint] = method.MethodHandle.GetFunctionPointer();
                    }
                }
            }
            int found = 0;
            for (int i = 0; i < count; i++)
            {
                string name = Marshal.PtrToStringUTF8((nint)names[i]) ?? "";
                addresses[i] = byName.GetValueOrDefault(name);
                if (addresses[i] != 0) found++;
            }
            if (found == count)
            {
                OnnxRuntimeWarmUp.Start();
            }
            return found;
        }
        catch
        {
            return -1;
        }
    }
}
