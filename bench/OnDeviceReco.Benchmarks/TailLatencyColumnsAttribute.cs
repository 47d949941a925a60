using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace OnDeviceReco.Benchmarks;

/// <summary>Median, P90 and P95 per operation: a frame budget is about the tail, not the mean.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class TailLatencyColumnsAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddColumn(StatisticColumn.Median, StatisticColumn.P90, StatisticColumn.P95);
}
