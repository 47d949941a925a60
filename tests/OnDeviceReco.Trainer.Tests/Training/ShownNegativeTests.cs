using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>Items shown and never taken become negatives for the positions after they were shown.</summary>
public sealed class ShownNegativeTests(ITestOutputHelper output)
{
    [Fact]
    public void Windows_give_a_shown_item_to_every_position_that_predicts_an_interaction_after_it_was_shown()
    {
        // Shown after two interactions: a negative when predicting the third and the fourth, not the second.
        var windows = new TrainingWindows([[1, 2, 3, 4]], maxLength: 5, shown: [[new ShownItem(2, 9)]]);
        var shown = windows.Shown![0];
        int M = TrainingWindows.ShownPerPosition;
        // Left padding: 3 predicting positions sit at the last 3 of 5; they predict items 2, 3 and 4.
        Assert.Equal([2L, 3, 4], windows.Targets[0][2..]);
        Assert.Equal(0, shown[2 * M]);
        Assert.Equal(9, shown[3 * M]);
        Assert.Equal(9, shown[4 * M]);
        Assert.Equal(2, shown.Count(s => s != 0));
        Assert.Null(new TrainingWindows([[1, 2, 3]], 5).Shown);
    }

    [Fact]
    public void Training_with_shown_negatives_ranks_the_passed_over_item_lower_than_training_without()
    {
        const int items = 30, users = 60, length = 12, passedOver = 7;
        // Histories say nothing (items drawn at random), so only the impressions can single item 7 out: every user
        // was shown it after their second interaction.
        var random = new Random(5);
        var vocabulary = new ItemVocabulary();
        for (int i = 1; i <= items; i++)
        {
            vocabulary.Add($"item{i}");
        }
        var sequences = Enumerable.Range(0, users).Select(_ => Enumerable.Range(0, length).Select(_ => random.Next(1, items + 1)).ToArray()).ToList();
        var shown = Enumerable.Range(0, users).Select(_ => new[] { new ShownItem(2, passedOver) }).ToList();
        var data = new InteractionData("random", Enumerable.Range(0, users).Select(u => $"u{u}").ToList(), sequences, vocabulary, shown);
        double Margin(double weight)
        {
            TorchRuntime.Configure(1, 11);
            var config = ModelCatalogue.Find("sasrec-shown") with { Dimension = 32, MaxLength = 12, BatchSize = 16, LearningRate = 5e-3, ShownNegativeWeight = weight };
            using var model = ModelFactory.Create(config, data.Items);
            new SequenceTrainer(model, seed: 11).Train(data.Sequences, validate: null, epochs: 10, shown: data.Shown);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var scores = model.ScoreLast(tensor(Histories.LeftPad(data.Sequences, config.MaxLength), [users, config.MaxLength]))
                .narrow(1, 1, items);
            // How far item 7 sits below the average item, over every user's next-item scores.
            return (scores.mean([1]) - scores.select(1, passedOver - 1)).mean().item<float>();
        }
        double without = Margin(0), with = Margin(1);
        output.WriteLine($"average item − passed-over item score: without {without:0.000}, with {with:0.000}");
        Assert.True(with > without + 0.5, $"with {with}, without {without}");
    }
}
