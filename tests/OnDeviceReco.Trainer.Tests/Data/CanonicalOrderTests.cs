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
/// The same stored events train the same model whatever order the devices synced in: the store numbers devices in
/// arrival order, the training read must not follow it.
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

    private string Store(string name, IEnumerable<Upload> uploads)
    {
        string path = Path.Combine(_dir, name + ".db");
        using var store = new SqliteFeedbackStore(path);
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
    public void Users_are_ordered_by_user_then_device_and_unknown_items_numbered_alike_whatever_the_arrival_order()
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

        var first = Load(Store("first", uploads), catalogue);
        var reversed = Load(Store("reversed", uploads.Reverse()), catalogue);

        Assert.Equal([FeedbackUserKey.Of("dev-a", "alice"), FeedbackUserKey.Of("dev-b", "alice"), FeedbackUserKey.Of("dev-c", "bob"), FeedbackUserKey.Of("dev-a", "carol")], first.UserIds);
        Assert.Equal(first.UserIds, reversed.UserIds);
        Assert.Equal(first.Sequences, reversed.Sequences);
        Assert.Equal(first.Shown, reversed.Shown);
        Assert.Equal(Ids(first), Ids(reversed));
        // Catalogue items keep their catalogue numbers and metadata; the others follow in the order above.
        Assert.Equal(["m1", "m2", "x7", "x9", "x8"], Ids(first));
        Assert.Equal("Two", first.Items.TitleOf(2));
        Assert.Equal(2, first.Items.GenresOf(2).Length);
        Assert.Equal(["x7"], first.Shown![2].Select(s => first.Items.IdOf(s.Item)));

        static string[] Ids(InteractionData data) => Enumerable.Range(1, data.Items.Count).Select(data.Items.IdOf).ToArray();
    }

    [Fact]
    public void The_same_events_synced_in_another_order_train_identical_weights()
    {
        var random = new Random(3);
        var uploads = Enumerable.Range(0, 40).Select(d => new Upload($"device-{d:00}",
            Enumerable.Range(1, 8).Select(s => Event(s, $"user{d}", $"item{random.Next(30)}", EventType.Play)).ToArray())).ToList();
        var shuffled = uploads.ToArray();
        new Random(4).Shuffle(shuffled);

        var (firstMetrics, firstWeights) = Train(Load(Store("in-order", uploads), null));
        var (shuffledMetrics, shuffledWeights) = Train(Load(Store("shuffled", shuffled), null));

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
