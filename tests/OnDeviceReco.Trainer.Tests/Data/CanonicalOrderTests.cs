using System.Security.Cryptography;
using System.Text;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Feedback;
using OnDeviceReco.Feedback.Sqlite;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;
using static TorchSharp.torch;

namespace OnDeviceReco.Trainer.Tests.Data;

/// <summary>
/// The same stored events train the same model whatever order the devices synced in and whatever the store names
/// them: the store numbers devices in arrival order and names devices and users by pseudonyms under a key drawn per
/// server, and devices draw their own ids at install; the training read must follow none of these.
/// </summary>
public sealed class CanonicalOrderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-canonical", Guid.NewGuid().ToString("N"));

    public CanonicalOrderTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>One device's upload: (device id, its events).</summary>
    private sealed record Upload(string Device, WireEvent[] Events);

    private static WireEvent Event(long sequence, string user, string item, EventType type) =>
        new(sequence, 1_000 * sequence, user, item, (int)type, type == EventType.Rate ? 4 : 0,
            type == EventType.Impression ? new Dictionary<string, string> { [WireEvent.RequestIdKey] = "r" + sequence, [WireEvent.RankKey] = "0" } : WireEvent.NoContext);

    private string Store(string name, IEnumerable<Upload> uploads, IdPseudonyms? pseudonyms = null)
    {
        string path = Path.Combine(_dir, name + ".db");
        using var store = new SqliteFeedbackStore(path, pseudonyms: pseudonyms);
        foreach (var upload in uploads)
        {
            store.Ingest(EventBatch.Create(upload.Device, upload.Events), SHA256.HashData(Encoding.UTF8.GetBytes(upload.Device)));
        }
        return path;
    }

    private static InteractionData Load(string path, string? catalogue)
    {
        using var store = new SqliteFeedbackStore(path);
        return new FeedbackInteractionSource(store, catalogue, collectShown: true).Load();
    }

    [Fact]
    public void Users_are_ordered_and_unknown_items_numbered_alike_whatever_the_arrival_order_and_the_names()
    {
        string catalogue = Path.Combine(_dir, "catalogue");
        Directory.CreateDirectory(catalogue);
        File.WriteAllText(Path.Combine(catalogue, "movies.csv"), "movieId,title,genres\nm1,One,Drama\nm2,Two,Comedy|Drama\n");
        Upload[] uploads =
        [
            new("dev-c", [Event(1, "bob", "x9", EventType.Play), Event(2, "bob", "m1", EventType.Rate), Event(3, "bob", "x7", EventType.Impression)]),
            new("dev-a", [Event(1, "carol", "x8", EventType.Play), Event(2, "carol", "m2", EventType.Play), Event(3, "alice", "x7", EventType.Play)]),
            new("dev-b", [Event(1, "alice", "m2", EventType.Click), Event(2, "alice", "x9", EventType.Rate)]),
        ];
        // Another server: its own pseudonym key, and the same people on devices that drew other ids at install.
        var renamed = uploads.Reverse().Select(u => u with { Device = "other-" + u.Device.Replace('-', 'x') });

        var first = Load(Store("first", uploads), catalogue);
        var second = Load(Store("second", renamed, new IdPseudonyms(RandomNumberGenerator.GetBytes(32))), catalogue);

        Assert.Equal(4, first.Sequences.Count);
        Assert.Equal(first.Sequences, second.Sequences);
        Assert.Equal(first.Shown, second.Shown);
        Assert.Equal(Ids(first), Ids(second));
        // Catalogue items keep their catalogue numbers and metadata; the others follow in the users' order.
        Assert.Equal(["m1", "m2"], Ids(first)[..2]);
        Assert.Equal(["x7", "x8", "x9"], Ids(first)[2..].Order());
        Assert.Equal("Two", first.Items.TitleOf(2));
        Assert.Equal(2, first.Items.GenresOf(2).Length);
        int bob = first.Sequences.ToList().FindIndex(s => s.Select(first.Items.IdOf).SequenceEqual(["x9", "m1"]));
        Assert.Equal(["x7"], first.Shown![bob].Select(s => first.Items.IdOf(s.Item)));

        static string[] Ids(InteractionData data) => Enumerable.Range(1, data.Items.Count).Select(data.Items.IdOf).ToArray();
    }

    [Fact]
    public void The_same_events_synced_in_another_order_by_other_installs_to_another_server_train_identical_weights()
    {
        var random = new Random(3);
        var uploads = Enumerable.Range(0, 40).Select(d => new Upload($"device-{d:00}",
            Enumerable.Range(1, 8).Select(s => Event(s, $"user{d}", $"item{random.Next(30)}", EventType.Play)).ToArray())).ToList();
        var shuffled = uploads.Select(u => u with { Device = "install-" + u.Device }).ToArray();
        new Random(4).Shuffle(shuffled);

        var (firstMetrics, firstWeights) = Train(Load(Store("in-order", uploads, new IdPseudonyms(RandomNumberGenerator.GetBytes(32))), null));
        var (shuffledMetrics, shuffledWeights) = Train(Load(Store("shuffled", shuffled, new IdPseudonyms(RandomNumberGenerator.GetBytes(32))), null));

        Assert.Equal(firstMetrics, shuffledMetrics);
        Assert.Equal(firstWeights.Keys, shuffledWeights.Keys);
        foreach (var (name, weights) in firstWeights)
        {
            Assert.True(weights.SequenceEqual(shuffledWeights[name]), $"{name} differs");
        }
    }

    private static (Evaluation.RankingMetrics Holdout, Dictionary<string, float[]> Weights) Train(InteractionData data)
    {
        TorchRuntime.Configure(2, 7);
        var config = ModelCatalogue.Find("sasrec") with { Dimension = 16, MaxLength = 8, BatchSize = 8, MaxEpochs = 2, EvaluateEvery = 1 };
        var candidate = HoldoutTraining.Train(data, config, seed: 7);
        using var model = candidate.Model;
        var weights = model.state_dict().ToDictionary(p => p.Key, p => p.Value.to_type(ScalarType.Float32).data<float>().ToArray());
        return (candidate.Holdout, weights);
    }
}
