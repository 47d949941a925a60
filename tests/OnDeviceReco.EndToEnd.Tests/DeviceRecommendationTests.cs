using OnDeviceReco.Protocol;
using OnDeviceReco.Trainer.Evaluation;
using OnDeviceReco.Trainer.Export;
using static OnDeviceReco.EndToEnd.Tests.BundleFixture;

namespace OnDeviceReco.EndToEnd.Tests;

public sealed class DeviceRecommendationTests : IClassFixture<BundleFixture>, IDisposable
{
    private readonly BundleFixture _fixture;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "odr-e2e-device", Guid.NewGuid().ToString("N"));
    private readonly RecoClient _client;

    public DeviceRecommendationTests(BundleFixture fixture)
    {
        _fixture = fixture;
        Directory.CreateDirectory(_dir);
        _client = Open();
    }

    private RecoClient Open(IReadOnlyList<string>? keys = null) => new(new RecoClientOptions
    {
        Store = new StoreOptions { DatabasePath = Path.Combine(_dir, $"store-{Guid.NewGuid():N}.db") },
        TrustedModelKeys = keys ?? [_fixture.PublicKeyPem],
        Inference = new InferenceOptions { Provider = ExecutionProviderPreference.Auto },
    });

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private void Play(string user, params int[] items)
    {
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (int i = 0; i < items.Length; i++)
        {
            _client.Track(user, ItemId(items[i]), EventType.Play, timestamp: start.AddSeconds(i));
        }
    }

    private static int IndexOf(string id) => int.Parse(id["game-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Loads_a_verified_bundle_on_the_cpu_and_reports_why_not_directml()
    {
        var info = _client.LoadModel(_fixture.V1);
        Assert.Equal(1, info.ModelVersion);
        Assert.Equal("sasrec", info.Architecture);
        Assert.Equal(Items, info.Items);
        Assert.Equal("CPUExecutionProvider", info.Provider);
        Assert.Contains("DirectML", info.ProviderFallbackReason, StringComparison.Ordinal);
        Assert.Equal(info, _client.Model);
    }

    [Fact]
    public void Device_results_match_the_trainers_model_for_the_same_history()
    {
        // A bundle without a compact table falls back to the exact path: the graph scores its float32 table.
        _client.LoadModel(_fixture.V1Exact);
        var random = new Random(3);
        for (int trial = 0; trial < 20; trial++)
        {
            string user = $"parity-{trial}";
            var history = Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(Items)).Distinct().ToArray();
            Play(user, history);
            var device = _client.Recommend(user, 10).Select(r => r.ItemId).ToList();

            var indices = history.Select(h => { _fixture.Data.Items.TryGetIndex(ItemId(h), out int i); return i; }).ToArray();
            var scores = new float[_fixture.Data.Items.TableSize];
            new ModelScorer(_fixture.Model).Score([indices], scores);
            scores[0] = float.NegativeInfinity;
            foreach (int i in indices)
            {
                scores[i] = float.NegativeInfinity;
            }
            var trainer = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(10).Select(_fixture.Data.Items.IdOf).ToList();
            Assert.Equal(trainer, device);
        }
    }

    [Fact]
    public void The_event_tracked_just_now_changes_the_next_answer()
    {
        _client.LoadModel(_fixture.V1);
        Play("live", 3, 4, 5);
        var before = _client.Recommend("live", 3);
        Assert.Equal(ItemId(6), before[0].ItemId); // the model learned the ring: after 5 comes 6
        _client.Track("live", ItemId(20), EventType.Play); // no flush, no retraining
        var after = _client.Recommend("live", 3);
        Assert.Equal(ItemId(21), after[0].ItemId);
        Assert.All(after, r => Assert.Equal(RecommendationSource.Model, r.Source));
    }

    [Fact]
    public void Erasing_data_forgets_the_user_at_once()
    {
        _client.LoadModel(_fixture.V1);
        Play("gone", 3, 4, 5);
        Assert.Equal(RecommendationSource.Model, _client.Recommend("gone", 3)[0].Source);
        _client.EraseAllData();
        Assert.All(_client.Recommend("gone", 3), r => Assert.Equal(RecommendationSource.Popularity, r.Source));
    }

    [Fact]
    public void Filters_apply_to_model_results()
    {
        _client.LoadModel(_fixture.V1);
        Play("f", 10, 11, 12);
        var blocked = new HashSet<string> { ItemId(13), ItemId(14) };
        Assert.DoesNotContain(_client.Recommend("f", 10, new RecommendOptions { Blocked = blocked }), r => blocked.Contains(r.ItemId));

        var candidates = new HashSet<string> { ItemId(30), ItemId(13), ItemId(2), ItemId(12) };
        var fromSet = _client.Recommend("f", 10, new RecommendOptions { Candidates = candidates });
        Assert.Equal(3, fromSet.Count); // 12 was seen
        Assert.Equal(ItemId(13), fromSet[0].ItemId);
        Assert.All(fromSet, r => Assert.Contains(r.ItemId, candidates));

        var racing = _client.Recommend("f", 5, new RecommendOptions { Categories = new HashSet<string> { "Racing" } });
        Assert.Equal(5, racing.Count);
        Assert.All(racing, r => Assert.Equal("Racing", GenreOf(IndexOf(r.ItemId))));

        var withSeen = _client.Recommend("f", 40, new RecommendOptions { ExcludeSeen = false });
        Assert.Contains(withSeen, r => r.ItemId == ItemId(12));
        Assert.DoesNotContain(_client.Recommend("f", 37), r => r.ItemId is "game-10" or "game-11" or "game-12");
    }

    [Fact]
    public void Diversity_reranking_trades_relevance_for_variety()
    {
        _client.LoadModel(_fixture.V1);
        Play("d", 0, 1, 2, 3);
        double GenreVariety(IEnumerable<Recommendation> list) => list.Select(r => GenreOf(IndexOf(r.ItemId))).Distinct().Count();
        var plain = _client.Recommend("d", 6);
        var diverse = _client.Recommend("d", 6, new RecommendOptions { Relevance = 0.2 });
        Assert.Equal(plain[0].ItemId, diverse[0].ItemId); // the best item stays first
        Assert.NotEqual(plain.Select(r => r.ItemId), diverse.Select(r => r.ItemId));
        Assert.True(GenreVariety(diverse) >= GenreVariety(plain));
    }

    [Fact]
    public void Random_exploration_gives_marked_slots_to_items_never_shown()
    {
        _client.LoadModel(_fixture.V1);
        Play("e", 5, 6, 7);
        var first = _client.Recommend("e", 10);
        _client.RecordImpressions("e", first);
        var explored = _client.Recommend("e", 10, new RecommendOptions { Exploration = 0.3, ExplorationStrategy = ExplorationStrategy.Random, ExplorationSeed = 1 });
        var marked = explored.Where(r => r.IsExploration).ToList();
        Assert.Equal(3, marked.Count);
        Assert.All(marked, r => Assert.DoesNotContain(first, s => s.ItemId == r.ItemId));
        Assert.All(marked, r => Assert.DoesNotContain(r.ItemId, new[] { ItemId(5), ItemId(6), ItemId(7) }));
        Assert.Equal(7, explored.Count(r => !r.IsExploration && r.Source == RecommendationSource.Model));
        Assert.Equal(Enumerable.Range(1, 10), explored.Select(r => r.Rank));
    }

    [Fact]
    public void Every_model_result_is_explained_by_a_history_item()
    {
        _client.LoadModel(_fixture.V1);
        Play("x", 30, 31);
        foreach (var rec in _client.Recommend("x", 5))
        {
            Assert.Matches("^Because you played Game 3[01]$", rec.Reason);
        }
    }

    [Fact]
    public void Cold_start_degrades_from_model_to_content_to_popularity()
    {
        // No model: on-device popularity.
        Play("p1", 7);
        Play("p2", 7);
        var noModel = _client.Recommend("newcomer", 3);
        Assert.Equal(ItemId(7), noModel[0].ItemId);
        Assert.All(noModel, r => Assert.Equal(RecommendationSource.Popularity, r.Source));

        // A model, but a user whose only history is an item the model does not know: content from its category.
        _client.LoadModel(_fixture.V1);
        _client.UpsertItems([new ItemMetadata("brand-new-racer", ["Racing"])]);
        _client.Track("c", "brand-new-racer", EventType.Purchase);
        var content = _client.Recommend("c", 5);
        Assert.All(content, r => Assert.Equal(RecommendationSource.Content, r.Source));
        Assert.All(content, r => Assert.Equal("Racing", GenreOf(IndexOf(r.ItemId))));
        Assert.All(content, r => Assert.Equal("Matches your taste for Racing", r.Reason));

        // A model and a user with no history at all: popularity (device counts, then the bundle's list).
        var nobody = _client.Recommend("nobody", 5);
        Assert.All(nobody, r => Assert.Equal(RecommendationSource.Popularity, r.Source));
        Assert.Equal(5, nobody.Count);
    }

    [Fact]
    public async Task Hot_swap_under_concurrent_load_fails_no_call()
    {
        _client.LoadModel(_fixture.V1);
        Play("swap", 1, 2, 3);
        using var stop = new CancellationTokenSource();
        long calls = 0;
        var workers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var list = _client.Recommend("swap", 5);
                Assert.Equal(5, list.Count);
                Assert.Equal(RecommendationSource.Model, list[0].Source);
                Interlocked.Increment(ref calls);
            }
        })).ToArray();
        for (int i = 0; i < 10; i++)
        {
            // Each swap happens while the workers are demonstrably running (a busy CI machine may start them late).
            long before = Interlocked.Read(ref calls);
            Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref calls) > before, TimeSpan.FromSeconds(30)) || workers.Any(w => w.IsFaulted),
                "the recommending threads made no progress");
            _client.LoadModel(i % 2 == 0 ? _fixture.V2 : _fixture.V1);
        }
        stop.Cancel();
        await Task.WhenAll(workers);
        Assert.True(Interlocked.Read(ref calls) > 0);
        Assert.Equal(1, _client.Model!.ModelVersion);
    }

    [Fact]
    public void A_tampered_bundle_is_refused_and_the_last_good_model_keeps_serving()
    {
        _client.LoadModel(_fixture.V1);
        string copy = Path.Combine(_dir, "tampered");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(_fixture.V2))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        var model = File.ReadAllBytes(Path.Combine(copy, "model.onnx"));
        model[model.Length / 2] ^= 0x10;
        File.WriteAllBytes(Path.Combine(copy, "model.onnx"), model);

        var error = Assert.Throws<ModelLoadException>(() => _client.LoadModel(copy));
        Assert.Equal(BundleRejectReason.FileHashMismatch, error.Rejection);
        Assert.Equal(1, _client.Model!.ModelVersion);
        Play("t", 8);
        Assert.Equal(RecommendationSource.Model, _client.Recommend("t", 1)[0].Source);

        Assert.Equal(BundleRejectReason.Missing, Assert.Throws<ModelLoadException>(() => _client.LoadModel(Path.Combine(_dir, "nowhere"))).Rejection);
    }

    [Fact]
    public void Without_a_trusted_key_no_model_loads()
    {
        using var untrusting = Open(keys: []);
        Assert.Throws<ModelLoadException>(() => untrusting.LoadModel(_fixture.V1));
        using var other = Protocol.BundleSigner.CreateKey();
        using var wrongKey = Open(keys: [Protocol.BundleSigner.ExportPublicKeyPem(other)]);
        var error = Assert.Throws<ModelLoadException>(() => wrongKey.LoadModel(_fixture.V1));
        Assert.NotNull(error.Rejection);
        Assert.Null(wrongKey.Model);
    }

    [Fact]
    public void Bad_requests_get_clear_errors()
    {
        _client.LoadModel(_fixture.V1);
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.Recommend("u", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.Recommend("u", int.MaxValue));
        Assert.Throws<ArgumentException>(() => _client.Recommend("u", 5, new RecommendOptions { Candidates = new HashSet<string>() }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.Recommend("u", 5, new RecommendOptions { Relevance = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.Recommend("u", 5, new RecommendOptions { Exploration = double.NaN }));
        Assert.Throws<InvalidEventException>(() => _client.Recommend("", 5));
        Assert.Equal(5, _client.Recommend("unknown-user", 5).Count);
        Assert.Equal(Items, _client.Recommend("unknown-user", RecoClient.MaxRecommendations).Count);
    }

    [Fact]
    public void Impressions_and_clicks_are_linked_to_the_response()
    {
        _client.LoadModel(_fixture.V1);
        Play("i", 1);
        var shown = _client.Recommend("i", 4);
        _client.RecordImpressions("i", shown);
        _client.RecordClick("i", shown, shown[2].ItemId);
        Assert.Throws<ArgumentException>(() => _client.RecordClick("i", shown, "not-shown"));
        Assert.Equal(TrackOutcome.Accepted, _client.TrackFeedback("i", shown.RequestId, shown[0].ItemId, 1, shown[0].Source, EventType.Purchase));
        Assert.Throws<InvalidEventException>(() => _client.TrackFeedback("i", "", shown[0].ItemId, 1, shown[0].Source, EventType.Purchase));
        Assert.Throws<ArgumentOutOfRangeException>(() => _client.TrackFeedback("i", shown.RequestId, shown[0].ItemId, 0, shown[0].Source, EventType.Purchase));
        _client.Flush();
        var feedback = _client.Store.GetEvents(0, 100).Where(e => e.Context.ContainsKey("request_id")).ToList();
        Assert.Equal(6, feedback.Count);
        Assert.All(feedback, e => Assert.Equal(shown.RequestId, e.Context["request_id"]));
        var click = Assert.Single(feedback, e => e.Type == EventType.Click);
        Assert.Equal("3", click.Context["rank"]);
        Assert.Equal(1, shown.ModelVersion);
    }

    [Fact]
    public void A_click_learnt_of_later_is_recorded_at_its_own_time_and_still_linked()
    {
        _client.LoadModel(_fixture.V1);
        Play("late", 1);
        var shown = _client.Recommend("late", 4);
        var tookIt = DateTimeOffset.UtcNow.AddHours(-3);

        Assert.Equal(TrackOutcome.Accepted, _client.RecordClick("late", shown, shown[1].ItemId, tookIt, EventType.Purchase));
        Assert.Throws<ArgumentException>(() => _client.RecordClick("late", shown, "not-shown", tookIt));
        _client.Flush();

        var purchase = Assert.Single(_client.Store.GetEvents(0, 1000), e => e.UserId == "late" && e.Type == EventType.Purchase);
        Assert.Equal(tookIt.ToUnixTimeMilliseconds(), purchase.Timestamp.ToUnixTimeMilliseconds());
        Assert.Equal(shown.RequestId, purchase.Context["request_id"]);
        Assert.Equal("2", purchase.Context["rank"]);
    }

    [Fact]
    public void The_exported_graph_is_what_the_device_expects()
    {
        var proto = OnnxExporter.BuildModel(_fixture.Model);
        Assert.Equal(["item_ids", "exclude_seen", "k"], proto.Graph.Input.Select(i => i.Name));
        Assert.Equal(["top_ids", "top_scores", "user_vector"], proto.Graph.Output.Select(o => o.Name));
        var compact = OnnxExporter.BuildModel(_fixture.Model, userVectorOnly: true);
        Assert.Equal(["item_ids", "item_vectors"], compact.Graph.Input.Select(i => i.Name));
        Assert.Equal(["user_vector"], compact.Graph.Output.Select(o => o.Name));
    }
}
