using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace OnDeviceReco.Benchmarks;

/// <summary>Events per second from the mean time of one operation over the case's <c>Events</c> parameter.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EventsPerSecondColumnAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddColumn(new EventsColumn(
        "EventsPerSecond", "Events/s", "Events handled per second (the case's Events parameter / mean time)",
        (summary, benchmarkCase, events) => summary[benchmarkCase]?.ResultStatistics is { } statistics
            ? $"{events / (statistics.Mean / 1e9):N0}"
            : "-"));
}

/// <summary>Encoded bytes per event of what each wire benchmark produces (computed in the host: sizes are deterministic).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class BytesPerEventColumnAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddColumn(new EventsColumn(
        "BytesPerEvent", "Bytes/event", "Encoded bytes per event (envelope and compression included)",
        (_, benchmarkCase, events) => WireEncoding.BytesPerEvent(benchmarkCase.Descriptor.WorkloadMethod.Name, events).ToString("0.00")));
}

/// <summary>A numeric column computed from a case and its <c>Events</c> parameter.</summary>
internal sealed class EventsColumn(string id, string name, string legend, Func<Summary, BenchmarkCase, int, string> value) : IColumn
{
    public string Id => id;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Events")?.Value is int events ? value(summary, benchmarkCase, events) : "-";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
