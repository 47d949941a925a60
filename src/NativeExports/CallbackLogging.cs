using Microsoft.Extensions.Logging;

namespace OnDeviceReco.Native;

/// <summary>Forwards the SDK's log lines to the host's odr_log_callback, when one is installed.</summary>
internal static unsafe class CallbackLogging
{
    private static LogSink? _sink;

    /// <summary>Installs the callback (or removes it, when NULL); returns once the previous one has stopped running.</summary>
    public static void Install(delegate* unmanaged<void*, int, byte*, void> callback, void* userData)
    {
        var previous = Interlocked.Exchange(ref _sink, callback is null ? null : new LogSink(callback, userData));
        previous?.Retire();
    }

    public static ILoggerFactory Factory { get; } = new CallbackLoggerFactory();

    private static void Emit(LogLevel level, string message)
    {
        var sink = AcquireCurrent();
        if (sink is null)
        {
            return;
        }
        byte* text = null;
        try
        {
            text = Utf8Strings.Allocate(message);
            sink.Call(level, text);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(text);
            sink.Release();
        }
    }

    /// <summary>The installed sink, counted in; null when none is installed.</summary>
    private static LogSink? AcquireCurrent()
    {
        while (true)
        {
            var sink = Volatile.Read(ref _sink);
            if (sink is null || sink.TryAcquire())
            {
                return sink;
            }
            // Retired between the read and the acquire: Install has already published its successor.
        }
    }

    private sealed class CallbackLoggerFactory : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new CallbackLogger();

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class CallbackLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && Volatile.Read(ref _sink) is not null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Emit(logLevel, exception is null ? formatter(state, exception) : $"{formatter(state, exception)}: {exception.Message}");
            }
        }
    }
}
