using System.Diagnostics;
using System.Globalization;

namespace OnDeviceReco.Server.Tests.Support;

/// <summary>
/// The OnDeviceReco.SyncCrashHost child process: a device that tracks events and starts one sync, to be killed
/// (SIGKILL) while its request is in flight. Its path comes from synccrashhost.path, written at build time.
/// </summary>
public sealed class SyncCrashHost : IDisposable
{
    private readonly Process _process;

    private SyncCrashHost(Process process, string deviceId)
    {
        _process = process;
        DeviceId = deviceId;
    }

    public string DeviceId { get; }

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the child and waits until it tracked and flushed <paramref name="events"/> events.</summary>
    public static async Task<SyncCrashHost> StartAsync(string databasePath, Uri server, int events, int maxBatchEvents)
    {
        string host = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "synccrashhost.path")).Trim();
        Assert.True(File.Exists(host), $"The child process is not built at {host}.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["exec", host, databasePath, server.ToString(), ServerHost.ApiKey,
                     events.ToString(CultureInfo.InvariantCulture), maxBatchEvents.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        try
        {
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null || !line.StartsWith("tracked ", StringComparison.Ordinal))
            {
                string error = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5));
                throw new InvalidOperationException($"The child did not start: '{line}' {error}");
            }
            return new SyncCrashHost(process, line["tracked ".Length..]);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL: no finalizers, no Dispose, no flush, the socket closed by the kernel.</summary>
    public void Kill() => Kill(_process);

    public bool HasExited => _process.HasExited;

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
        }
        process.WaitForExit();
    }

    public void Dispose()
    {
        Kill(_process);
        _process.Dispose();
    }
}
