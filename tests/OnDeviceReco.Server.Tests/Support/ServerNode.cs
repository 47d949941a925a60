using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace OnDeviceReco.Server.Tests.Support;

/// <summary>
/// One server node as its own process (the real OnDeviceReco.Server.dll, configured by command line as an
/// operator would), so a test can SIGKILL it mid-request or mid-training. Its log lines are kept for the test.
/// </summary>
public sealed class ServerNode : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServerNode(Process process, Uri address, string name)
    {
        _process = process;
        Address = address;
        Name = name;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public string Name { get; }

    public IReadOnlyList<string> Lines => [.. _lines];

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a node on a free loopback port and waits until /health answers.</summary>
    public static async Task<ServerNode> StartAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "OnDeviceReco.Server.dll");
        int port = Ports.Free();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in settings.Append(new("Urls", $"http://127.0.0.1:{port}")))
        {
            start.ArgumentList.Add($"--Reco:{key}={value}");
        }
        // Information from retraining, so the test sees which node trains; warnings from the rest.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__OnDeviceReco.Server.Retraining"] = "Information";
        var node = new ServerNode(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"), name);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (node.HasExited)
            {
                throw new InvalidOperationException($"Node {name} exited at start: {string.Join('\n', node.Lines)}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(node.Address, "health"));
                if (response.IsSuccessStatusCode)
                {
                    return node;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        node.Dispose();
        throw new InvalidOperationException($"Node {name} did not answer /health within 60 s.");
    }

    /// <summary>Waits until a log line contains <paramref name="text"/>; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return true;
            }
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>SIGKILL: no shutdown, no flush; the kernel closes its sockets (and PostgreSQL sees its sessions end).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {line}"));
        }
    }
}
