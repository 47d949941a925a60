using System.Diagnostics;

namespace OnDeviceReco.Trainer.Tests;

/// <summary>Runs the trainer's command line as a real process (the built OnDeviceReco.Trainer.Cli.dll beside the tests).</summary>
internal static class TrainerProcess
{
    public static (int Exit, string Out, string Err) Run(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OnDeviceReco.Trainer.Cli.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(timeout), "the trainer did not finish");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
