using OnDeviceReco.Trainer.Data;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>Users walking a cycle of items (after item i comes i + 1): a rule every model can learn in seconds.</summary>
internal static class CycleData
{
    public static InteractionData Create(int items, int users, int length, IReadOnlyList<ShownItem[]>? shown = null)
    {
        var vocabulary = new ItemVocabulary();
        for (int i = 1; i <= items; i++)
        {
            vocabulary.Add($"item{i}", genres: [$"g{i % 3}"]);
        }
        var sequences = Enumerable.Range(0, users)
            .Select(u => Enumerable.Range(0, length).Select(t => Next(u, t, items)).ToArray())
            .ToList();
        return new InteractionData("cycle", Enumerable.Range(0, users).Select(u => $"u{u}").ToList(), sequences, vocabulary, shown);
    }

    /// <summary>The item user <paramref name="user"/> takes at step <paramref name="step"/> (1-based index).</summary>
    public static int Next(int user, int step, int items) => (user + step) % items + 1;
}
