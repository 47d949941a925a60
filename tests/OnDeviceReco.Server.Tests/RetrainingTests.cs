using System.Net;
using System.Net.Http.Json;
using OnDeviceReco.Feedback;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// The server's own retraining, for real (TorchSharp on synced feedback, ONNX Runtime for the serving model):
/// the threshold starts it, the candidate is published only when not worse, devices verify and hot-swap it,
/// and earlier versions can serve again.
/// </summary>
public sealed class RetrainingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly RingGames Ring = new(40);

    [Fact]
    public async Task Synced_feedback_trains_publishes_and_delivers_a_model_and_a_worse_candidate_is_kept_back()
    {
        await using var server = await ServerHost.StartAsync(options =>
        {
            RingGames.RetrainOnceSynced(options.Retraining);
            options.Retraining.MaxEpochs = 20;
            options.Retraining.Threads = 2;
            // The published model is refitted on everything (the kept-back candidate below is not): both paths run.
            options.Retraining.RefitOnAllData = true;
        });
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        await Ring.SyncPlayersAsync(directory, server, trustedKey);

        var stats = await server.WaitForStatsAsync(s => s.ServingVersion == 1, TimeSpan.FromMinutes(4));
        Assert.Null(stats.LastRetrainingError);
        var first = Assert.Single(await Models(server));
        Assert.True(first.Published, first.Reason);
        Assert.Contains("popularity", first.Reason);
        // The run record says which recipe the catalogue's size chose and why training stopped.
        Assert.Matches(@"recipe sasrec → full softmax: [\d,]+ items ≤ crossover 15,000; length \d+[^;]*: 95 % of users have ≤ [\d,]+ interactions, stopped: (patience|epoch cap|time budget); ", first.Reason);
        Assert.Contains("\"refit_epochs\"", first.Metrics);

        // A device picks the model up on its next sync, verifies it against the app's key and serves from it.
        using (var device = RingGames.OpenDevice(directory, server, trustedKey, "device-0"))
        {
            var sync = await device.SyncAsync();
            Assert.Equal(SyncStatus.Completed, sync.Status);
            Assert.True(sync.ModelUpdated);
            Assert.Equal(1, sync.ModelVersion);
            device.Track("newcomer", Ring.Game(5), EventType.Play);
            var answer = device.Recommend("newcomer", 3);
            Assert.Equal(RecommendationSource.Model, answer[0].Source);
            Assert.Contains(Ring.Game(6), answer.Select(r => r.ItemId));
        }

        // A candidate that does not clear the required margin over the serving model is kept back (an
        // impossible margin makes the outcome certain; the default margin 0 publishes whatever is not worse).
        server.Options.Retraining.MaxEpochs = 2;
        server.Options.Retraining.MinImprovement = 1.0;
        using (var admin = AdminRequest(HttpMethod.Post, "v1/admin/retrain"))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await server.Http.SendAsync(admin)).StatusCode);
        }
        stats = await server.WaitForStatsAsync(s => s.RetrainingRuns >= 2, TimeSpan.FromMinutes(2));
        Assert.Equal(1, stats.ServingVersion);
        var second = (await Models(server)).Single(m => m.Version == 2);
        Assert.False(second.Published);
        Assert.Contains("kept back", second.Reason);
        Assert.DoesNotContain("refit_epochs", second.Metrics);

        // Every published version stays servable; one never published cannot be served.
        using (var rollback = AdminRequest(HttpMethod.Post, "v1/admin/models/1/serve"))
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(rollback)).StatusCode);
        }
        using (var refused = AdminRequest(HttpMethod.Post, "v1/admin/models/2/serve"))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.SendAsync(refused)).StatusCode);
        }
    }

    [Fact]
    public async Task Several_recipes_are_trained_on_the_same_events_and_the_one_validation_prefers_is_published()
    {
        await using var server = await ServerHost.StartAsync(options =>
        {
            RingGames.RetrainOnceSynced(options.Retraining);
            options.Retraining.Recipes = ["sasrec", "gru"];
            options.Retraining.MaxEpochs = 20; // far above popularity whatever the random device ids do to batches
            options.Retraining.Threads = 2;
        });
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        await Ring.SyncPlayersAsync(directory, server, trustedKey);

        var stats = await server.WaitForStatsAsync(s => s.ServingVersion == 1, TimeSpan.FromMinutes(4));
        Assert.Null(stats.LastRetrainingError);
        var record = Assert.Single(await Models(server));
        output.WriteLine(record.Reason);
        Assert.True(record.Published, record.Reason);
        var metrics = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(record.Metrics)!;
        double sasrec = metrics["validation_ndcg@10:sasrec"], gru = metrics["validation_ndcg@10:gru"];
        Assert.InRange(sasrec, 0, 1);
        Assert.InRange(gru, 0, 1);
        string winner = gru > sasrec ? "gru" : "sasrec"; // a tie goes to the recipe listed first
        Assert.Contains($"recipe {winner} chosen on validation NDCG@10", record.Reason);
        Assert.Matches(@"\(sasrec \d\.\d{4}, gru \d\.\d{4}\)", record.Reason);

        // The bundle that serves is the winner's, signed and verifiable with the app's key.
        var verified = new OnDeviceReco.Protocol.BundleVerifier([trustedKey]).Verify(Path.Combine(server.DataDirectory, "models", "v1"));
        Assert.Equal(winner, verified.Manifest.Architecture);
        Assert.Equal(1, verified.Manifest.ModelVersion);
    }

    [Fact]
    public async Task With_a_catalogue_the_bundle_carries_newcomers_questions_that_cover_the_items_text()
    {
        // Half the ring are racing games, half puzzles, every game as popular as the next: after a racing game, the next
        // question is a puzzle, because another racing title covers little the first did not.
        using var catalogue = new TempDirectory();
        string Kind(int i) => i < Ring.Count / 2 ? "Racing" : "Puzzle";
        File.WriteAllLines(Path.Combine(catalogue.Path, "movies.csv"), Enumerable.Range(0, Ring.Count)
            .Select(i => $"{Ring.Game(i)},{Kind(i)} championship {i},{Kind(i)}").Prepend("movieId,title,genres"));
        await using var server = await ServerHost.StartAsync(options =>
        {
            RingGames.RetrainOnceSynced(options.Retraining);
            options.Retraining.MaxEpochs = 2;
            options.Retraining.Threads = 2;
            options.CatalogueDirectory = catalogue.Path;
            options.Retraining.TextOnboarding = true;
        });
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        await Ring.SyncPlayersAsync(directory, server, trustedKey);

        var stats = await server.WaitForStatsAsync(s => s.RetrainingRuns >= 1, TimeSpan.FromMinutes(4));
        Assert.Null(stats.LastRetrainingError);
        var verified = new OnDeviceReco.Protocol.BundleVerifier([trustedKey]).Verify(Path.Combine(server.DataDirectory, "models", "v1"));
        var questions = verified.Manifest.Onboarding;
        Assert.NotNull(questions);
        Assert.Equal(Ring.Count, questions.Count); // every game is played by enough devices to be asked about
        Assert.NotEqual(Kind(RingGames.Number(questions[0])), Kind(RingGames.Number(questions[1])));

        // Without the option (the default) the bundle carries none and devices choose as before.
        server.Options.Retraining.TextOnboarding = false;
        using (var admin = AdminRequest(HttpMethod.Post, "v1/admin/retrain"))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await server.Http.SendAsync(admin)).StatusCode);
        }
        Assert.Null((await server.WaitForStatsAsync(s => s.RetrainingRuns >= 2, TimeSpan.FromMinutes(4))).LastRetrainingError);
        Assert.Null(new OnDeviceReco.Protocol.BundleVerifier([trustedKey]).Verify(Path.Combine(server.DataDirectory, "models", "v2")).Manifest.Onboarding);
    }

    [Fact]
    public async Task A_private_recipe_records_the_epsilon_it_spent_in_the_signed_manifest_and_on_the_models_page()
    {
        await using var server = await ServerHost.StartAsync(options =>
        {
            RingGames.RetrainOnceSynced(options.Retraining);
            options.Retraining.Recipes = ["sasrec-dp"];
            options.Retraining.MaxEpochs = 5;
            options.Retraining.Threads = 2;
            options.Retraining.RefitOnAllData = true; // ignored for a private recipe: a second run would spend ε again
        });
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        await Ring.SyncPlayersAsync(directory, server, trustedKey);

        var stats = await server.WaitForStatsAsync(s => s.RetrainingRuns >= 1, TimeSpan.FromMinutes(4));
        Assert.Null(stats.LastRetrainingError);
        var record = Assert.Single(await Models(server));
        output.WriteLine(record.Reason);
        Assert.Contains("user-level (ε = ", record.Reason);
        var metrics = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(record.Metrics)!;
        Assert.InRange(metrics["dp_epsilon"], 7.9, 8.0); // the recipe's default target, spent over its 5 planned epochs
        Assert.Equal(1.0 / metrics["dp_users"], metrics["dp_delta"], 12);
        Assert.Equal(1, metrics["dp_clip_norm"]);
        Assert.True(metrics["dp_noise_multiplier"] > 0);
        Assert.Equal(5, metrics["dp_steps"]); // 60 users ≤ 256 per step: every user in every step, one step per epoch
        Assert.DoesNotContain("refit_epochs", record.Metrics);

        // Signed with the bundle, whether the gate published it or kept it back.
        var verified = new OnDeviceReco.Protocol.BundleVerifier([trustedKey]).Verify(Path.Combine(server.DataDirectory, "models", "v1"));
        Assert.Equal(metrics["dp_epsilon"], verified.Manifest.Metrics!["dp_epsilon"]);
        string page = OnDeviceReco.Server.Admin.ModelsPage.Render([OnDeviceReco.Server.Admin.ModelView.From(record)], null, "token");
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ε {metrics["dp_epsilon"]:0.00} (δ "), page);
    }

    [Fact]
    public void An_unknown_or_repeated_recipe_is_refused_at_startup_and_none_listed_means_the_model_alone()
    {
        var unknown = Assert.Throws<InvalidOperationException>(() => new OnDeviceReco.Server.Hosting.RetrainingOptions { Recipes = ["sasrec", "transformer-xl"] }.Validate());
        Assert.Contains("'transformer-xl'", unknown.Message);
        Assert.Throws<InvalidOperationException>(() => new OnDeviceReco.Server.Hosting.RetrainingOptions { Recipes = ["gru", "gru"] }.Validate());
        Assert.Equal(["sasrec-shown"], new OnDeviceReco.Server.Hosting.RetrainingOptions { Model = "sasrec-shown" }.EffectiveRecipes);
    }

    [Fact]
    public void Softmax_and_time_budget_options_are_checked_and_the_budget_defaults_to_the_trainers()
    {
        Assert.Throws<InvalidOperationException>(() => new OnDeviceReco.Server.Hosting.RetrainingOptions { Softmax = "partial" }.Validate());
        Assert.Throws<InvalidOperationException>(() => new OnDeviceReco.Server.Hosting.RetrainingOptions { TimeBudget = TimeSpan.FromMinutes(-1) }.Validate());
        new OnDeviceReco.Server.Hosting.RetrainingOptions { Softmax = "sampled", TimeBudget = TimeSpan.FromMinutes(30) }.Validate();
        Assert.Equal(OnDeviceReco.Trainer.Models.CatalogueRecipe.DefaultTimeBudget, new OnDeviceReco.Server.Hosting.RetrainingOptions().EffectiveTimeBudget);
        Assert.Null(new OnDeviceReco.Server.Hosting.RetrainingOptions { TimeBudget = TimeSpan.Zero }.EffectiveTimeBudget);
        Assert.Equal(TimeSpan.FromMinutes(30), new OnDeviceReco.Server.Hosting.RetrainingOptions { TimeBudget = TimeSpan.FromMinutes(30) }.EffectiveTimeBudget);
    }

    private static HttpRequestMessage AdminRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Admin-Key", ServerHost.AdminKey);
        return request;
    }

    private static async Task<IReadOnlyList<ModelRecord>> Models(ServerHost server)
    {
        using var request = AdminRequest(HttpMethod.Get, "v1/admin/models");
        using var response = await server.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<ModelRecord>>())!;
    }
}
