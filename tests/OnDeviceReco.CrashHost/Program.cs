using OnDeviceReco;

// Usage: CrashHost <database path> <events to flush>
// Tracks N events named "flushed-i", flushes, prints "flushed", then tracks "after-i" until it is killed.
string path = args[0];
int count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var store = new BehaviorStore(new StoreOptions { DatabasePath = path, FlushInterval = TimeSpan.FromMilliseconds(20), BatchSize = 256 });
for (int i = 0; i < count; i++)
{
    store.Track($"user-{i % 7}", $"flushed-{i}", EventType.Play, i);
}
store.Flush();
Console.Out.WriteLine("flushed");
Console.Out.Flush();
for (long i = 0; ; i++)
{
    store.Track($"user-{i % 7}", $"after-{i}", EventType.View);
    if (i % 64 == 0)
    {
        Thread.Sleep(1);
    }
}
