using System.Diagnostics;
using System.Globalization;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Feedback;

namespace OnDeviceReco.LoadTest;

/// <summary>
/// What retraining's first step costs once the events are stored: the training input is read from the store the
/// way the retraining job reads it (<see cref="FeedbackInteractionSource"/>), and the process's peak resident
/// memory during that read is taken from Linux (VmHWM, reset first through /proc/self/clear_refs).
/// </summary>
internal static class TrainingReadProbe
{
    public static (double Seconds, double RssBeforeMb, double PeakMb, long Interactions) Measure(IFeedbackStore store)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        double before = StatusMb("VmRSS");
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
        var clock = Stopwatch.StartNew();
        var data = new FeedbackInteractionSource(store, catalogueDirectory: null).Load();
        double seconds = clock.Elapsed.TotalSeconds;
        return (seconds, before, StatusMb("VmHWM"), data.InteractionCount);
    }

    private static double StatusMb(string field)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
