using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace OnDeviceReco.Benchmarks;

/// <summary>Events per second from the mean time of one operation over the case's <c>Events</c> parameter.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EventsPerSecondColumnAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddColumn(new EventsPerSecondColumn());

    private sealed class EventsPerSecondColumn : IColumn
    {
        public string Id => "EventsPerSecond";
        public string ColumnName => "Events/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Events handled per second (the case's Events parameter / mean time)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            var events = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Events")?.Value;
            return statistics is null || events is not int count ? "-" : $"{count / (statistics.Mean / 1e9):N0}";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }
}

/// <summary>Encoded bytes per event of what each wire benchmark produces (computed in the host: sizes are deterministic).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class BytesPerEventColumnAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddColumn(new BytesPerEventColumn());

    private sealed class BytesPerEventColumn : IColumn
    {
        public string Id => "BytesPerEvent";
        public string ColumnName => "Bytes/event";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 1;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Encoded bytes per event (envelope and compression included)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var events = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Events")?.Value;
            return events is int count ? WireEncoding.BytesPerEvent(benchmarkCase.Descriptor.WorkloadMethod.Name, count).ToString("0.00") : "-";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
    }
}
