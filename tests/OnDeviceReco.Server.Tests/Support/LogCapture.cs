using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OnDeviceReco.Server.Tests.Support;

/// <summary>Every log line the server writes, at every level, rendered as an operator's log would show it.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Structured values too: a sink that stores properties would keep them even if the message omits them.
            string properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            capture._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception} {properties}");
        }
    }
}
