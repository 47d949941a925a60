using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Training;

/// <summary>
/// <see cref="HeldAdam"/> replaces TorchSharp's <c>optim.Adam</c> only to hold its Scalars: trained from the same
/// weights on the same batches with the same dropout draws, both must leave every parameter bit for bit the same,
/// or the documented numbers would no longer be the trainer's.
/// </summary>
[Collection(RunsAlone.Name)] // torch.manual_seed is process-wide: another test's draws between ours would break the replay
public sealed class HeldAdamTests
{
    private const int Steps = 40;

    [Theory]
    [InlineData("sasrec")]
    [InlineData("gru")]
    public void Training_with_HeldAdam_gives_the_same_weights_as_TorchSharps_Adam_bit_for_bit(string name)
    {
        var data = CycleData.Create(items: 30, users: 64, length: 21);
        var config = ModelCatalogue.Find(name) with { Dimension = 16, MaxLength = 20, BatchSize = 16 };
        TorchRuntime.Configure(1, 11);

        using var initial = ModelFactory.Create(config, data.Items);
        using var theirs = Train(initial, config, data, (parameters, lr) =>
        {
            var adam = optim.Adam(parameters, lr);
            return (adam.zero_grad, () => adam.step(), adam);
        });
        using var ours = Train(initial, config, data, (parameters, lr) =>
        {
            var adam = new HeldAdam(parameters, lr);
            return (adam.ZeroGrad, adam.Step, adam);
        });

        var start = initial.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var expected = theirs.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int compared = 0;
        foreach (var (parameterName, actual) in ours.named_parameters())
        {
            Assert.False(expected[parameterName].Equals(start[parameterName]), $"{parameterName} did not train: the comparison would prove nothing");
            using var difference = (actual - expected[parameterName]).abs().max();
            Assert.True(actual.Equals(expected[parameterName]), $"{parameterName} differs by up to {difference.item<float>()}");
            compared++;
        }
        Assert.Equal(expected.Count, compared);
    }

    /// <summary>
    /// A copy of <paramref name="initial"/> after <see cref="Steps"/> full-softmax steps with the optimiser
    /// <paramref name="create"/> makes; the seed is reset first so both runs draw the same dropout masks.
    /// </summary>
    private static SequenceModel Train(SequenceModel initial, ModelConfig config, InteractionData data,
        Func<IEnumerable<Parameter>, double, (Action ZeroGrad, Action Step, IDisposable Owner)> create)
    {
        var model = ModelFactory.Create(config, data.Items);
        model.load_state_dict(initial.state_dict());
        var (zeroGrad, step, owner) = create(model.parameters(), 1e-2);
        using var _ = owner;
        manual_seed(23);
        model.train();
        var inputs = data.Sequences.Select(s => s[..config.MaxLength]).ToList();
        var targets = data.Sequences.Select(s => s[1..]).ToList();
        for (int i = 0; i < Steps; i++)
        {
            using var scope = NewDisposeScope();
            int first = i * config.BatchSize % inputs.Count;
            var input = tensor(Histories.LeftPad(inputs.GetRange(first, config.BatchSize), config.MaxLength), [config.BatchSize, config.MaxLength]);
            var target = tensor(Histories.LeftPad(targets.GetRange(first, config.BatchSize), config.MaxLength));
            var hidden = model.call(input).reshape(-1, config.Dimension);
            var loss = nn.functional.cross_entropy(hidden.matmul(model.ItemTable().t()), target);
            zeroGrad();
            loss.backward();
            step();
        }
        model.eval();
        return model;
    }
}
