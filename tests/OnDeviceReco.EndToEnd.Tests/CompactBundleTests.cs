using OnDeviceReco.Protocol;
using OnDeviceReco.Trainer.Evaluation;
using static OnDeviceReco.EndToEnd.Tests.BundleFixture;

namespace OnDeviceReco.EndToEnd.Tests;

/// <summary>Bundles with the compact (int8) item table, as the trainer writes them by default, served by the SDK.</summary>
public sealed class CompactBundleTests : IClassFixture<BundleFixture>, IDisposable
{
    private readonly BundleFixture _fixture;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-e2e-compact", Guid.NewGuid().ToString("N"));
    private readonly RecoClient _client;

    public CompactBundleTests(BundleFixture fixture)
    {
        _fixture = fixture;
        Directory.CreateDirectory(_dir);
        _client = new RecoClient(new RecoClientOptions
        {
            Store = new StoreOptions { DatabasePath = Path.Combine(_dir, "store.db") },
            TrustedModelKeys = [_fixture.PublicKeyPem],
        });
    }

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private int[] Play(string user, Random random)
    {
        var history = Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(Items)).Distinct().ToArray();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (int i = 0; i < history.Length; i++)
        {
            _client.Track(user, ItemId(history[i]), EventType.Play, timestamp: start.AddSeconds(i));
        }
        return history;
    }

    [Fact]
    public void The_default_bundle_is_compact_and_agrees_with_the_trainers_float32_model()
    {
        var files = new BundleVerifier([_fixture.PublicKeyPem]).Verify(_fixture.V1).Files;
        Assert.True(files.ContainsKey(BundleFileNames.CompactItemTable));
        Assert.False(files.ContainsKey(BundleFileNames.ItemEmbeddings));
        _client.LoadModel(_fixture.V1);
        var random = new Random(3);
        int hits = 0, trials = 20;
        for (int trial = 0; trial < trials; trial++)
        {
            string user = $"parity-{trial}";
            var history = Play(user, random);
            var device = _client.Recommend(user, 10).ToList();
            Assert.All(device, r => Assert.Equal(RecommendationSource.Model, r.Source));

            var indices = history.Select(h => { _fixture.Data.Items.TryGetIndex(ItemId(h), out int i); return i; }).ToArray();
            var scores = new float[_fixture.Data.Items.TableSize];
            new ModelScorer(_fixture.Model).Score([indices], scores);
            scores[0] = float.NegativeInfinity;
            foreach (int i in indices)
            {
                scores[i] = float.NegativeInfinity;
            }
            var trainer = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(10).Select(_fixture.Data.Items.IdOf).ToList();
            Assert.Equal(trainer[0], device[0].ItemId); // the learned next item survives quantisation
            hits += trainer.Intersect(device.Select(r => r.ItemId)).Count();
            // Seen items are excluded on the compact path too.
            Assert.Empty(device.Select(r => r.ItemId).Intersect(history.Select(ItemId)));
        }
        Assert.True(hits >= 0.95 * 10 * trials, $"recall@10 {hits / (10.0 * trials)}");
    }

    [Fact]
    public void A_tampered_compact_table_is_refused_and_the_last_good_model_keeps_serving()
    {
        _client.LoadModel(_fixture.V1);
        string copy = Path.Combine(_dir, "tampered");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(_fixture.V2))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        string table = Path.Combine(copy, BundleFileNames.CompactItemTable);
        var bytes = File.ReadAllBytes(table);
        bytes[bytes.Length / 3] ^= 0x01;
        File.WriteAllBytes(table, bytes);

        var error = Assert.Throws<ModelLoadException>(() => _client.LoadModel(copy));
        Assert.Equal(BundleRejectReason.FileHashMismatch, error.Rejection);
        Assert.Equal(1, _client.Model!.ModelVersion);
    }

    [Fact]
    public void Exact_and_compact_bundles_swap_in_either_order()
    {
        var random = new Random(8);
        Play("swap", random);
        _client.LoadModel(_fixture.V1Exact);
        var exact = _client.Recommend("swap", 5).Select(r => r.ItemId).ToList();
        _client.LoadModel(_fixture.V2);
        var compact = _client.Recommend("swap", 5).Select(r => r.ItemId).ToList();
        Assert.Equal(exact[0], compact[0]);
        _client.LoadModel(_fixture.V1Exact);
        Assert.Equal(exact, _client.Recommend("swap", 5).Select(r => r.ItemId));
    }
}
