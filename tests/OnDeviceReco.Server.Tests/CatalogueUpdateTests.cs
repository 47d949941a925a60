using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OnDeviceReco.Server.Catalogue;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// New items the day they launch, for real: the server retrains a text recipe (MiniLM sentence vectors, TorchSharp) on
/// what devices synced, then an operator adds items and the server publishes them at once without retraining, placed by
/// the serving model's text adaptor; a real device syncs, verifies, hot-swaps and recommends them to the players whose
/// history their text matches. Bad rows are refused by name and never touch the serving version.
/// </summary>
public sealed class CatalogueUpdateTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int PerTheme = 20;

    [Fact]
    public async Task An_added_item_reaches_a_device_without_retraining_placed_by_its_text_and_bad_rows_change_nothing()
    {
        using var catalogue = new TempDirectory();
        using var devices = new TempDirectory();
        await using var server = await StartTrainedAsync(catalogue, devices, "sasrec-text");
        string trustedKey = await server.ModelKeyAsync();
        int runs = (await server.StatsAsync()).RetrainingRuns;

        using var device = RingGames.OpenDevice(devices, server, trustedKey, "fan-device");
        Assert.Equal(1, (await device.SyncAsync()).ModelVersion);
        for (int i = 0; i < 15; i++)
        {
            device.Track("space-fan", $"space-{i}", EventType.Play);
            device.Track("chef", $"cook-{i}", EventType.Play);
        }

        // The operator adds two games; the answer is the published catalogue update.
        var clock = Stopwatch.StartNew();
        using var added = await PostItemsAsync(server, """
            {"items": [
              {"id": "space-new", "title": "Nebula Raiders", "categories": ["Space", "Shooter"],
               "description": "Pilot a starfighter through asteroid fields and fight alien fleets among the stars."},
              {"id": "cook-new", "title": "Bakery Rush", "categories": ["Cooking", "Casual"],
               "description": "Bake bread, cakes and pastries for a queue of hungry customers in your kitchen."}
            ]}
            """);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var outcome = (await added.Content.ReadFromJsonAsync<CatalogueUpdateOutcome>())!;
        output.WriteLine($"{outcome.Note}");
        Assert.Equal((2L, 1L, 2, "text"), (outcome.Version!.Value, outcome.BaseVersion!.Value, outcome.Added, outcome.Vectors));

        // The device's next sync downloads it, verifies it and swaps it in: the new items are recommendable at once.
        var sync = await device.SyncAsync();
        output.WriteLine($"from the request to the device serving v{sync.ModelVersion}: {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(SyncStatus.Completed, sync.Status);
        Assert.True(sync.ModelUpdated);
        Assert.Equal(2, sync.ModelVersion);
        var forFan = device.Recommend("space-fan", 2 * PerTheme).Select(r => r.ItemId).ToList();
        var forChef = device.Recommend("chef", 2 * PerTheme).Select(r => r.ItemId).ToList();
        output.WriteLine($"space fan: {string.Join(", ", forFan)}");
        output.WriteLine($"chef: {string.Join(", ", forChef)}");
        // Each new item ranks where its text puts it: among the unseen games of its own theme, ahead of the other one.
        Assert.Contains("space-new", forFan.Take(10));
        Assert.True(forFan.IndexOf("space-new") < forFan.IndexOf("cook-new"));
        Assert.Contains("cook-new", forChef.Take(10));
        Assert.True(forChef.IndexOf("cook-new") < forChef.IndexOf("space-new"));

        // Signed, marked as a catalogue update in its manifest, and nothing was retrained.
        var manifest = new OnDeviceReco.Protocol.BundleVerifier([trustedKey]).Verify(Path.Combine(server.DataDirectory, "models", "v2")).Manifest;
        Assert.Equal(new OnDeviceReco.Protocol.CatalogueUpdate(1, 2), manifest.CatalogueUpdate);
        Assert.Equal(new[] { "space-new", "cook-new" }, manifest.Items.TakeLast(2).Select(i => i.Id));
        Assert.Equal(runs, (await server.StatsAsync()).RetrainingRuns);
        var v2 = (await ModelsAsync(server)).Single(m => m.Version == 2);
        Assert.Contains("catalogue update of v1", v2.Reason);
        // The trained version's newest-item boost was chosen on its held-out validation, and the manifest signs it.
        Assert.Contains("newest-item boost", (await ModelsAsync(server)).Single(m => m.Version == 1).Reason);
        var v1Manifest = new OnDeviceReco.Protocol.BundleVerifier([trustedKey]).Verify(Path.Combine(server.DataDirectory, "models", "v1")).Manifest;
        Assert.Contains(v1Manifest.Metrics!["newest_boost"], OnDeviceReco.Trainer.Evaluation.TimeSplit.NewestBoostChoice.Grid);
        var view = OnDeviceReco.Server.Admin.ModelView.From(v2);
        Assert.Contains("catalogue update of v1: +2 items", OnDeviceReco.Server.Admin.ModelsPage.Render([view], 2, "token"));

        // Bad rows: refused by row and reason, nothing stored, the serving version stays.
        string before = await File.ReadAllTextAsync(Path.Combine(catalogue.Path, OnDeviceReco.Trainer.Data.CatalogueAdditions.FileName));
        await AssertRefusedAsync(server, """{"items": [{"id": "space-new", "title": "Again", "categories": []}]}""", 1, "already in the catalogue");
        await AssertRefusedAsync(server, """{"items": [{"id": "a", "title": "A", "categories": []}, {"id": "a", "title": "B", "categories": []}]}""", 2, "duplicate id");
        await AssertRefusedAsync(server, """{"items": [{"id": "ok", "title": "Fine", "categories": []}, {"id": "blank", "title": "  ", "categories": []}]}""", 2, "title is empty");
        await AssertRefusedAsync(server, $$"""{"items": [{"id": "long", "title": "{{new string('x', 1025)}}", "categories": []}]}""", 1, "longer than 1024");
        await AssertRefusedAsync(server, """{"items": [{"id": "lone", "title": "Half \ud800 a pair", "categories": []}]}""", 1, "not valid");
        var invalidUtf8 = Encoding.UTF8.GetBytes("""{"items": [{"id": "ok", "title": "Fine"}, {"id": "bytes", "title": "X"}]}""");
        invalidUtf8[Array.LastIndexOf(invalidUtf8, (byte)'X')] = 0xFF;
        await AssertRefusedAsync(server, invalidUtf8, 2, "not valid UTF-8");
        Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(catalogue.Path, OnDeviceReco.Trainer.Data.CatalogueAdditions.FileName)));
        Assert.Equal(2, (await server.StatsAsync()).ServingVersion);
        using (var unauthorised = await server.Http.PostAsync("v1/admin/catalogue/items", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        }

        // The catalogue directory: a row appended by hand ships within a minute; a bad one is named and ships nothing.
        string file = Path.Combine(catalogue.Path, OnDeviceReco.Trainer.Data.CatalogueAdditions.FileName);
        await File.AppendAllTextAsync(file, "space-hand,Comet Chaser,Space|Shooter,Race a comet through a starfield\n");
        await server.WaitForStatsAsync(s => s.ServingVersion == 3, TimeSpan.FromSeconds(60));
        Assert.Equal(3, (await device.SyncAsync()).ModelVersion);
        byte[] badRow = [.. "bad-row,Caf"u8, 0xE9, .. ",Cooking,\n"u8];
        await File.AppendAllBytesAsync(file, badRow);
        var status = await WaitStatusAsync(server, s => s.Problem is not null, TimeSpan.FromSeconds(60));
        output.WriteLine(status.Problem ?? "");
        Assert.Contains("added-items.csv line 5: the text is not valid UTF-8", status.Problem);
        Assert.Equal(3, (await server.StatsAsync()).ServingVersion);
    }

    [Fact]
    public async Task Before_any_model_items_are_stored_for_the_first_training_and_a_server_without_a_catalogue_refuses_them()
    {
        using var catalogue = new TempDirectory();
        WriteThemedCatalogue(catalogue.Path);
        await using (var server = await ServerHost.StartAsync(options => options.CatalogueDirectory = catalogue.Path))
        {
            using var stored = await PostItemsAsync(server, """{"items": [{"id": "space-new", "title": "Nebula Raiders", "categories": ["Space"]}]}""");
            Assert.Equal(HttpStatusCode.Accepted, stored.StatusCode);
            var outcome = (await stored.Content.ReadFromJsonAsync<CatalogueUpdateOutcome>())!;
            Assert.Equal((1, (long?)null), (outcome.Stored, outcome.Version));
            Assert.Contains("No model serves yet", outcome.Note);
            var items = OnDeviceReco.Trainer.Data.MovieLensSource.LoadCatalogue(catalogue.Path);
            Assert.True(items.TryGetIndex("space-new", out int index));
            Assert.Equal("Nebula Raiders", items.TitleOf(index));
        }
        await using (var bare = await ServerHost.StartAsync())
        {
            using var refused = await PostItemsAsync(bare, """{"items": [{"id": "x", "title": "X", "categories": []}]}""");
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("Reco:CatalogueDirectory", await refused.Content.ReadAsStringAsync());
        }
    }

    /// <summary>A server on the themed catalogue that has trained <paramref name="recipe"/> on 60 themed players and serves it as v1.</summary>
    private static async Task<ServerHost> StartTrainedAsync(TempDirectory catalogue, TempDirectory devices, string recipe)
    {
        WriteThemedCatalogue(catalogue.Path);
        var server = await ServerHost.StartAsync(options =>
        {
            options.CatalogueDirectory = catalogue.Path;
            options.CatalogueCheckInterval = TimeSpan.FromMilliseconds(500);
            options.Retraining.Enabled = true;
            options.Retraining.Recipes = [recipe];
            options.Retraining.MinNewEvents = 60 * 30;
            options.Retraining.CheckInterval = TimeSpan.FromMilliseconds(200);
            options.Retraining.MaxEpochs = 15;
            options.Retraining.Threads = 2;
        });
        try
        {
            await SyncThemedPlayersAsync(devices, server, await server.ModelKeyAsync());
            // The run is counted right after it publishes: wait for both, so a later count compares with the final one.
            var stats = await server.WaitForStatsAsync(s => s.ServingVersion == 1 && s.RetrainingRuns >= 1, TimeSpan.FromMinutes(4));
            Assert.Null(stats.LastRetrainingError);
            Assert.True(File.Exists(Path.Combine(server.DataDirectory, "models", "v1.projector")));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task An_id_only_serving_model_places_an_added_item_by_its_categories_alone_and_says_so()
    {
        using var catalogue = new TempDirectory();
        using var devices = new TempDirectory();
        await using var server = await StartTrainedAsync(catalogue, devices, "sasrec");
        using var added = await PostItemsAsync(server, """{"items": [{"id": "space-new", "title": "Nebula Raiders", "categories": ["Space", "Shooter"]}]}""");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var outcome = (await added.Content.ReadFromJsonAsync<CatalogueUpdateOutcome>())!;
        Assert.Equal((2L, "content"), (outcome.Version!.Value, outcome.Vectors));
        Assert.Contains("genre projection alone", outcome.Note);

        using var device = RingGames.OpenDevice(devices, server, await server.ModelKeyAsync(), "fan-device");
        Assert.Equal(2, (await device.SyncAsync()).ModelVersion);
        device.Track("space-fan", "space-0", EventType.Play);
        Assert.Contains("space-new", device.Recommend("space-fan", 2 * PerTheme + 1).Select(r => r.ItemId));
    }

    [Fact]
    public void A_text_recipe_needs_the_catalogue_its_texts_come_from()
    {
        var options = new OnDeviceReco.Server.Hosting.ServerOptions { ApiKeys = ["key"], Retraining = { Recipes = ["sasrec-text"] } };
        Assert.Contains("Reco:CatalogueDirectory", Assert.Throws<InvalidOperationException>(options.Validate).Message);
        options.CatalogueDirectory = "catalogue";
        options.Validate();
    }

    /// <summary>Two themes a sentence encoder tells apart: space shooters and cooking games.</summary>
    private static void WriteThemedCatalogue(string directory)
    {
        var rows = new StringBuilder("movieId,title,genres\n");
        for (int i = 0; i < PerTheme; i++)
        {
            rows.Append($"space-{i},Star Pilot {i}: a space shooter among the stars,Space|Shooter\n");
            rows.Append($"cook-{i},Kitchen Story {i}: cooking recipes for a restaurant,Cooking|Casual\n");
        }
        File.WriteAllText(Path.Combine(directory, "movies.csv"), rows.ToString());
    }

    /// <summary>60 devices, each a player of one theme who plays 30 of its games at random, synced.</summary>
    private static async Task SyncThemedPlayersAsync(TempDirectory directory, ServerHost server, string trustedKey)
    {
        var random = new Random(5);
        for (int d = 0; d < 60; d++)
        {
            using var device = RingGames.OpenDevice(directory, server, trustedKey, $"device-{d}");
            string theme = d % 2 == 0 ? "space" : "cook";
            for (int i = 0; i < 30; i++)
            {
                device.Track("player", $"{theme}-{random.Next(PerTheme)}", EventType.Play, timestamp: DateTimeOffset.UtcNow.AddMinutes(i - 60));
            }
            Assert.Equal(SyncStatus.Completed, (await device.SyncAsync()).Status);
        }
    }

    private static Task AssertRefusedAsync(ServerHost server, string json, int row, string reason) =>
        AssertRefusedAsync(server, Encoding.UTF8.GetBytes(json), row, reason);

    private static async Task AssertRefusedAsync(ServerHost server, byte[] body, int row, string reason)
    {
        using var response = await PostItemsAsync(server, body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal("Bad catalogue input", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(row, problem.RootElement.GetProperty("row").GetInt32());
        Assert.Contains(reason, problem.RootElement.GetProperty("detail").GetString());
    }

    private static Task<HttpResponseMessage> PostItemsAsync(ServerHost server, string json) => PostItemsAsync(server, Encoding.UTF8.GetBytes(json));

    private static async Task<HttpResponseMessage> PostItemsAsync(ServerHost server, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/admin/catalogue/items") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Admin-Key", ServerHost.AdminKey);
        return await server.Http.SendAsync(request);
    }

    private static async Task<IReadOnlyList<OnDeviceReco.Feedback.ModelRecord>> ModelsAsync(ServerHost server)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/admin/models");
        request.Headers.Add("X-Admin-Key", ServerHost.AdminKey);
        using var response = await server.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<OnDeviceReco.Feedback.ModelRecord>>())!;
    }

    private static async Task<CatalogueStatus> WaitStatusAsync(ServerHost server, Func<CatalogueStatus, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "v1/admin/catalogue");
            request.Headers.Add("X-Admin-Key", ServerHost.AdminKey);
            using var response = await server.Http.SendAsync(request);
            var status = (await response.Content.ReadFromJsonAsync<CatalogueStatus>())!;
            if (done(status))
            {
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Timed out; last status: {status}");
            await Task.Delay(200);
        }
    }
}
