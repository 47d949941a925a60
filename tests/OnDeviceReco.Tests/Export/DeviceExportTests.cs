using System.Text.Json;
using OnDeviceReco.Tests.Support;

namespace OnDeviceReco.Tests.Export;

/// <summary>The device's export (RecoClient.ExportData): what the store holds about a user, or every user, as documented JSON.</summary>
public sealed class DeviceExportTests
{
    private static RecoClient Open(TempDirectory dir, ConsentState consent = ConsentState.Granted) => new(new RecoClientOptions
    {
        Store = new StoreOptions { DatabasePath = dir.Database },
        InitialConsent = consent,
    });

    private static JsonElement Export(RecoClient client, string? userId = null)
    {
        using var buffer = new MemoryStream();
        client.ExportData(buffer, userId);
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    [Fact]
    public void One_users_export_holds_their_events_attributes_and_answers_and_nobody_elses()
    {
        using var dir = new TempDirectory();
        using var client = Open(dir);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds() / 1000 * 1000 + 123);
        client.Track("alice", "game-1", EventType.Rate, 4.5, at, new Dictionary<string, string> { ["screen"] = "home" });
        client.Track("alice", "game-2", EventType.Play, timestamp: at.AddMinutes(1));
        client.RecordOnboardingAnswer("alice", "game-3", OnboardingAnswer.Liked);
        client.SetUserAttribute("alice", "platform", "ios");
        client.SetUserAttribute("alice", "locale", "de");
        Assert.True(client.RemoveUserAttribute("alice", "locale"));
        client.Track("bob", "game-9", EventType.Play);

        var export = Export(client, "alice");

        Assert.Equal("ondevicereco-device-export", export.GetProperty("format").GetString());
        Assert.Equal(1, export.GetProperty("schema_version").GetInt32());
        Assert.Equal("user", export.GetProperty("scope").GetString());
        Assert.Equal(client.DeviceId, export.GetProperty("device").GetProperty("device_id").GetString());
        Assert.Equal("granted", export.GetProperty("device").GetProperty("consent").GetString());
        var user = Assert.Single(export.GetProperty("users").EnumerateArray());
        Assert.Equal("alice", user.GetProperty("user_id").GetString());
        var events = user.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["game-1", "game-2", "game-3"], events.Select(e => e.GetProperty("item_id").GetString()));
        Assert.Equal(["rate", "play", "rate"], events.Select(e => e.GetProperty("type").GetString()));
        var first = events[0];
        Assert.Equal(at.ToUnixTimeMilliseconds(), first.GetProperty("time_ms").GetInt64());
        string time = first.GetProperty("time").GetString()!;
        Assert.EndsWith(".123Z", time, StringComparison.Ordinal);
        Assert.Equal(at, DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(4.5, first.GetProperty("value").GetDouble());
        Assert.Equal("home", first.GetProperty("context").GetProperty("screen").GetString());
        Assert.All(events, e => Assert.Equal("pending", e.GetProperty("sync_state").GetString()));
        var answer = Assert.Single(user.GetProperty("onboarding_answers").EnumerateArray());
        Assert.Equal(("game-3", "liked"), (answer.GetProperty("item_id").GetString()!, answer.GetProperty("answer").GetString()!));
        // The removal is held until the server hears of it: the export says so (value null).
        var attributes = user.GetProperty("attributes").EnumerateArray().ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value"));
        Assert.Equal("ios", attributes["platform"].GetString());
        Assert.Equal(JsonValueKind.Null, attributes["locale"].ValueKind);
        Assert.DoesNotContain("bob", export.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("game-9", export.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_whole_store_export_holds_every_user_and_never_the_secrets()
    {
        using var dir = new TempDirectory();
        using var client = Open(dir, ConsentState.LocalOnly);
        client.Track("alice", "a", EventType.Play);
        client.SetUserAttribute("carol", "platform", "web"); // a user with attributes only
        client.Track("bob", "b", EventType.Click);

        var export = Export(client);

        Assert.Equal("store", export.GetProperty("scope").GetString());
        Assert.Equal("local_only", export.GetProperty("device").GetProperty("consent").GetString());
        Assert.Equal(["alice", "bob", "carol"], export.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("user_id").GetString()));
        Assert.All(export.GetProperty("users")[0].GetProperty("events").EnumerateArray(), e => Assert.Equal("local_only", e.GetProperty("sync_state").GetString()));
        Assert.DoesNotContain(client.Store.DeviceSecret, export.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, export.GetProperty("device").GetProperty("model_version").ValueKind);
        Assert.Equal(JsonValueKind.Null, export.GetProperty("device").GetProperty("experiment_arm").ValueKind);
    }

    [Fact]
    public void An_erasure_still_owed_to_the_server_is_listed_by_id_only()
    {
        using var dir = new TempDirectory();
        using var client = Open(dir);
        client.Track("alice", "a", EventType.Play);
        client.Store.SetState(Storage.KeyValue.ServerContact, "1"); // as if it had registered with a server
        string erased = client.DeviceId;
        string secret = client.Store.DeviceSecret;
        client.EraseAllData();

        var export = Export(client);

        var owed = Assert.Single(export.GetProperty("device").GetProperty("pending_server_erasures").EnumerateArray());
        Assert.Equal(erased, owed.GetProperty("device_id").GetString());
        Assert.NotEqual(erased, export.GetProperty("device").GetProperty("device_id").GetString());
        Assert.DoesNotContain(secret, export.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(export.GetProperty("users").EnumerateArray());
    }

    [Fact]
    public void Events_tracked_a_moment_ago_are_in_the_export_and_an_unknown_user_has_none()
    {
        using var dir = new TempDirectory();
        using var client = Open(dir);
        for (int i = 0; i < 500; i++)
        {
            client.Track("alice", $"item-{i}", EventType.View); // not flushed: ExportData commits them first
        }

        Assert.Equal(500, Export(client, "alice").GetProperty("users")[0].GetProperty("events").GetArrayLength());
        Assert.Empty(Export(client, "nobody").GetProperty("users").EnumerateArray());
    }

    [Fact]
    public void Bad_input_is_refused_with_specific_exceptions()
    {
        using var dir = new TempDirectory();
        var client = Open(dir);
        Assert.Throws<ArgumentNullException>(() => client.ExportData(null!));
        var invalid = Assert.Throws<InvalidEventException>(() => client.ExportData(new MemoryStream(), ""));
        Assert.Equal("userId", invalid.ParamName);
        Assert.Throws<InvalidOperationException>(() => client.ExportServerDataAsync(new MemoryStream()).GetAwaiter().GetResult()); // no sync configured
        client.Dispose();
        Assert.Throws<ObjectDisposedException>(() => client.ExportData(new MemoryStream()));
    }
}
