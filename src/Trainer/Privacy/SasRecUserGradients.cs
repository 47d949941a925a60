using OnDeviceReco.Trainer.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Privacy;

/// <summary>
/// Each of many users' own gradient of their mean full-softmax loss for a <see cref="SasRec"/>, from one forward and
/// one backward of the whole batch ("book-keeping", Bu et al. 2022; ghost clipping, Li et al. 2021): a layer's
/// weight gradient is a sum over positions of (output gradient)ᵀ(input), so with each layer's inputs and output
/// gradients kept, a user's gradient is that sum over the user's own positions. Linear and LayerNorm gradients come per
/// window from a batched product and are added up per user; the item table's — its rows at the inputs plus the tied
/// output layer (softmax − one-hot)ᵀ(hidden) — per user directly, as are the genre projection's and the positions'.
/// What a private step then needs (each user's norm, the clipped sum) is plain arithmetic on these, instead of a
/// backward pass per user. The forward is SasRec's own (its modules' parameters, its order of operations); a test
/// holds the result to the per-user backward loop.
/// </summary>
internal sealed class SasRecUserGradients
{
    private readonly SasRec _model;
    private readonly string[] _parameterNames;
    private readonly (string Name, nn.Module Module)[] _modules;
    private readonly int _length;
    private readonly int _dimension;
    private readonly int _items;

    /// <summary>Results come in the order of <c>model.parameters()</c>.</summary>
    public SasRecUserGradients(SasRec model)
    {
        if (!Supports(model))
        {
            throw new ArgumentException($"Recipe '{model.Config.Name}' is not an ID-only SASRec with full softmax.", nameof(model));
        }
        _model = model;
        _parameterNames = model.named_parameters().Select(p => p.name).ToArray();
        _modules = model.named_modules().Select(m => (m.name, m.module)).ToArray();
        _length = model.Config.MaxLength;
        _dimension = model.Config.Dimension;
        _items = model.TableSize;
    }

    /// <summary>ID-only SASRec with full softmax over the catalogue: the model this forward mirrors.</summary>
    public static bool Supports(SequenceModel model) =>
        model is SasRec && model.Text is null && model.Config.Loss == LossKind.FullSoftmax;

    /// <summary>Floats the per-user item-table gradients of one call may take: bounds how many users a call gets.</summary>
    public const long FloatBudget = 8_000_000;

    /// <summary>Users per call under <see cref="FloatBudget"/>.</summary>
    public int UsersPerCall => (int)Math.Max(1, FloatBudget / ((long)_items * _dimension));

    /// <summary>
    /// Per-user gradients of each user's mean loss over their windows, one tensor [users, ..parameter shape] per
    /// parameter in the order of the model's parameters (null for a parameter the loss does not use), and each user's loss.
    /// </summary>
    /// <param name="inputs">[windows × L] left-padded inputs.</param>
    /// <param name="targets">[windows × L] next items (0 where there is none).</param>
    /// <param name="owners">Per window, its user's index in 0 … <paramref name="users"/> − 1.</param>
    public (Tensor?[] Gradients, Tensor Losses) Compute(long[] inputs, long[] targets, long[] owners, int users)
    {
        int windows = owners.Length;
        int length = _length, d = _dimension;
        var ids = tensor(inputs, [windows, length]);
        var target = tensor(targets, [windows, length]);
        var owner = tensor(owners);
        var keep = ids.ne(HeldScalars.Zero).unsqueeze(-1).to_type(ScalarType.Float32);
        var taps = new List<Tap>();

        // SasRec.forward, with each layer's input and output kept.
        var table = _model.ItemTable();
        var rows = table.index_select(0, ids.flatten()).reshape(windows, length, d);
        using var embeddingScale = Math.Sqrt(d).ToScalar();
        var embedded = rows.mul(embeddingScale).Plus(_model.Position.weight!.narrow(0, _model.Config.MaxLength - length, length));
        var x = Dropout(embedded) * keep;
        var mask = ones(length, length, ScalarType.Bool).tril().unsqueeze(0).logical_and(keep.squeeze(-1).to_type(ScalarType.Bool).unsqueeze(1));
        foreach (var block in _model.Blocks)
        {
            x = Block(block, x, mask, taps) * keep;
        }
        var hidden = Norm(_model.FinalNorm, x, taps);

        // Full softmax over every item but padding, each user's loss the mean over their positions.
        var logits = hidden.reshape(-1, d).matmul(table.t());
        using var padding = zeros(_items, ScalarType.Bool).index_fill_(0, tensor(0L), true);
        logits = logits.masked_fill(padding, HeldScalars.NegativeInfinity);
        var flatTarget = target.reshape(-1);
        var perPosition = nn.functional.cross_entropy(logits, flatTarget, ignore_index: 0, reduction: nn.Reduction.None);
        var counted = target.ne(HeldScalars.Zero).to_type(ScalarType.Float32);                       // [W, L]
        var positionsOfUser = zeros(users).index_add_(0, owner, counted.sum(1), HeldScalars.One);
        var weight = counted / positionsOfUser.index_select(0, owner).clamp_min(HeldScalars.One).unsqueeze(1); // 1 / user's positions
        var weighted = perPosition.reshape(windows, length) * weight;
        var total = weighted.sum();

        var wanted = new List<Tensor> { embedded };
        wanted.AddRange(taps.Select(t => t.Output));
        var outputGradients = torch.autograd.grad([total], wanted);

        using var noGrad = no_grad();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < taps.Count; i++)
        {
            var (module, input, _) = taps[i];
            var g = outputGradients[i + 1];
            switch (module)
            {
                case Linear linear:
                    result[Name(linear, "weight")] = PerUser(g.transpose(1, 2).bmm(input), owner, users);
                    result[Name(linear, "bias")] = PerUser(g.sum(1), owner, users);
                    break;
                case LayerNorm norm:
                    result[Name(norm, "weight")] = PerUser((g * input).sum(1), owner, users);
                    result[Name(norm, "bias")] = PerUser(g.sum(1), owner, users);
                    break;
            }
        }
        var embeddedGradient = outputGradients[0];                                                    // [W, L, d]
        result[Name(_model.Position, "weight")] = PositionGradient(embeddedGradient, owner, users);
        var tableGradient = TableGradient(embeddedGradient.mul(embeddingScale), ids, owner, users,
            DenseLogitGradient(logits, flatTarget, weight).reshape(windows, length, _items), hidden, owners);
        result[Name(_model.ItemEmbedding, "weight")] = tableGradient;
        if (_model.Config.UseContent)
        {
            // table = E + genres·Wᵀ, so the projection's gradient is (table gradient)ᵀ·genres.
            result[Name(_model.Content, "weight")] = tableGradient.transpose(1, 2).matmul(_model.Genres);
        }
        var losses = zeros(users).index_add_(0, owner, weighted.detach().sum(1), HeldScalars.One);
        return (_parameterNames.Select(n => result.GetValueOrDefault(n)).ToArray(), losses);
    }

    private string Name(nn.Module module, string parameter) => $"{_modules.First(m => ReferenceEquals(m.Module, module)).Name}.{parameter}";

    private readonly record struct Tap(nn.Module Module, Tensor Input, Tensor Output);

    private Tensor Dropout(Tensor x) => nn.functional.dropout(x, _model.Config.Dropout, _model.training);

    /// <summary>SasRecBlock.Forward with its layers tapped.</summary>
    private Tensor Block(SasRecBlock block, Tensor x, Tensor mask, List<Tap> taps)
    {
        long batch = x.shape[0], length = x.shape[1], d = x.shape[2], dh = d / block.Heads;
        var h = Norm(block.AttentionNorm, x, taps);
        Tensor Split(Tensor t) => t.reshape(batch, length, block.Heads, dh).transpose(1, 2);
        var q = Split(Linear(block.Query, h, taps));
        var k = Split(Linear(block.Key, h, taps));
        var v = Split(Linear(block.Value, h, taps));
        using var scale = (1.0 / Math.Sqrt(dh)).ToScalar();
        var scores = q.matmul(k.transpose(2, 3)).mul(scale);
        scores = scores.masked_fill(mask.unsqueeze(1).logical_not(), HeldScalars.MaskedScore);
        var attention = Dropout(nn.functional.softmax(scores, -1));
        var context = attention.matmul(v).transpose(1, 2).reshape(batch, length, d);
        x = x.Plus(Dropout(Linear(block.Output, context, taps)));
        var f = Norm(block.FeedForwardNorm, x, taps);
        return x.Plus(Dropout(Linear(block.Project, nn.functional.relu(Linear(block.Hidden, f, taps)), taps)));
    }

    private static Tensor Linear(Linear layer, Tensor input, List<Tap> taps)
    {
        var output = nn.functional.linear(input, layer.weight!, layer.bias);
        taps.Add(new Tap(layer, input, output));
        return output;
    }

    /// <summary>LayerNorm as normalise-then-affine, keeping the normalised input (what its weight multiplies).</summary>
    private static Tensor Norm(LayerNorm layer, Tensor x, List<Tap> taps)
    {
        var normalised = nn.functional.layer_norm(x, [x.shape[^1]], null, null, SasRec.LayerNormEps);
        var output = (normalised * layer.weight!).Plus(layer.bias!);
        taps.Add(new Tap(layer, normalised, output));
        return output;
    }

    private static Tensor PerUser(Tensor perWindow, Tensor owner, int users) =>
        zeros([users, .. perWindow.shape[1..]]).index_add_(0, owner, perWindow, HeldScalars.One);

    /// <summary>Rows MaxLength − L … of the position table receive the embedded input's gradient.</summary>
    private Tensor PositionGradient(Tensor embeddedGradient, Tensor owner, int users)
    {
        var used = PerUser(embeddedGradient, owner, users);
        long unused = _model.Config.MaxLength - _length;
        return unused == 0 ? used : cat([zeros(users, unused, _dimension), used], 1);
    }

    /// <summary>∂(Σ weighted loss)/∂logits: (softmax − one-hot) × the position's weight (0 where nothing is predicted).</summary>
    private Tensor DenseLogitGradient(Tensor logits, Tensor target, Tensor weight)
    {
        var gradient = nn.functional.softmax(logits.detach(), -1);
        var column = target.unsqueeze(1);
        gradient.scatter_add_(1, column, ones(column.shape).neg());
        return gradient.mul_(weight.reshape(-1, 1));
    }

    /// <summary>
    /// Each user's item-table gradient [users, items, d]: the embedded rows' gradients added at the input items, plus
    /// the tied output layer's (∂loss/∂logits)ᵀ·hidden over the user's windows — added window slot by slot so the
    /// temporary is never larger than the result.
    /// </summary>
    private Tensor TableGradient(Tensor rowGradient, Tensor ids, Tensor owner, int users, Tensor logitGradient, Tensor hidden, long[] owners)
    {
        var gradient = zeros(users, _items, _dimension);
        using var items = _items.ToScalar();
        var flatIndex = owner.unsqueeze(1).mul(items).add(ids, HeldScalars.One).reshape(-1);
        gradient.view(-1, _dimension).index_add_(0, flatIndex, rowGradient.reshape(-1, _dimension), HeldScalars.One);
        var detachedHidden = hidden.detach();
        foreach (var slot in Slots(owners))
        {
            using var scope = NewDisposeScope();
            var windows = tensor(slot.Windows);
            var part = logitGradient.index_select(0, windows).transpose(1, 2).bmm(detachedHidden.index_select(0, windows));
            gradient.index_add_(0, tensor(slot.Users), part, HeldScalars.One);
        }
        return gradient;
    }

    /// <summary>Windows grouped so that no user occurs twice in a group: a user's k-th window goes to group k.</summary>
    private static IEnumerable<(long[] Windows, long[] Users)> Slots(long[] owners)
    {
        var seen = new Dictionary<long, int>();
        var groups = new List<(List<long> Windows, List<long> Users)>();
        for (int w = 0; w < owners.Length; w++)
        {
            int k = seen.GetValueOrDefault(owners[w]);
            seen[owners[w]] = k + 1;
            if (k == groups.Count)
            {
                groups.Add(([], []));
            }
            groups[k].Windows.Add(w);
            groups[k].Users.Add(owners[w]);
        }
        return groups.Select(g => (g.Windows.ToArray(), g.Users.ToArray()));
    }
}
