using Microsoft.Extensions.Logging;

namespace OnDeviceReco.Native;

/// <summary>Forwards the SDK's log lines to the host's odr_log_callback, when one is installed.</summary>
internal static unsafe class CallbackLogging
{
    private static nint _callback;
    private static nint _userData;

    public static void Install(delegate* unmanaged<void*, int, byte*, void> callback, void* userData)
    {
        // Published as a pair: user data first, so a reader that sees the new callback sees its data too.
        Volatile.Write(ref _userData, (nint)userData);
        Volatile.Write(ref _callback, (nint)callback);
    }

    public static ILoggerFactory Factory { get; } = new CallbackLoggerFactory();

    private static void Emit(LogLevel level, string message)
    {
        var callback = (delegate* unmanaged<void*, int, byte*, void>)Volatile.Read(ref _callback);
        if (callback is null)
        {
            return;
        }
        byte* text = Utf8Strings.Allocate(message);
        try
        {
            callback((void*)Volatile.Read(ref _userData), (int)level, text);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(text);
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

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && Volatile.Read(ref _callback) != 0;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Emit(logLevel, exception is null ? formatter(state, exception) : $"{formatter(state, exception)}: {exception.Message}");
            }
        }
    }
}
