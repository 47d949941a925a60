using System.Globalization;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Synthetic;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Trainer.Cli;

/// <summary>
/// time-epoch --items N [--models sasrec,sasrec-sampled] [--batches N] [--interactions-per-item N] …
/// How long one training epoch takes on a generated catalogue of N items, without running one: times a fixed
/// number of optimiser steps and extrapolates to an epoch over N × interactions-per-item interactions.
/// </summary>
public static class TimeEpochCommand
{
    private static readonly HashSet<string> Options = ["--items", "--models", "--batches", "--interactions-per-item", "--seed", "--threads", .. ConfigOverrides.Names];

    public static int Run(string[] args)
    {
        var line = new CommandLine(args, Options);
        _ = line.Required("--items");
        int items = line.Int("--items", 0, 2, 100_000_000);
        int batches = line.Int("--batches", 10, 1, 100_000);
        int perItem = line.Int("--interactions-per-item", 10, 1, 10_000);
        int seed = line.Int("--seed", 42, 0, int.MaxValue);
        int threads = line.Int("--threads", Environment.ProcessorCount, 1, 256);
        var names = (line.Optional("--models") ?? "sasrec,sasrec-sampled").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var configs = names.Select(n => ConfigOverrides.Apply(ModelCatalogue.Find(n), line)).ToList();

        TorchRuntime.Configure(threads, seed);
        var vocabulary = new ItemVocabulary();
        for (int i = 1; i <= items; i++)
        {
            vocabulary.Add(i.ToString(CultureInfo.InvariantCulture));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{items:N0} generated items, an epoch = {(long)items * perItem:N0} interactions; timing {batches} steps after one warm-up, {threads} thread(s)"));
        foreach (var config in configs)
        {
            // One user = one full window of L targets, so the epoch's step count follows from the interaction count.
            long usersPerEpoch = (long)items * perItem / (config.MaxLength + 1);
            long stepsPerEpoch = (usersPerEpoch + config.BatchSize - 1) / config.BatchSize;
            var sequences = SyntheticSequences.Generate(items, (batches + 1) * config.BatchSize, config.MaxLength + 1, seed);
            using var model = ModelFactory.Create(config, vocabulary);
            double seconds = new SequenceTrainer(model, seed).SecondsPerBatch(sequences, batches);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{config.Name}: loss {config.Loss}, batch {config.BatchSize}, L {config.MaxLength}{(config.Loss == LossKind.SampledSoftmax ? $", {config.Negatives} negatives" : "")}: {seconds:0.000} s/step × {stepsPerEpoch:N0} steps = {seconds * stepsPerEpoch:N0} s/epoch (extrapolated)"));
        }
        return 0;
    }
}
