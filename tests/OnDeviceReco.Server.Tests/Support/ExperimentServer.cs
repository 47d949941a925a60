using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OnDeviceReco.Server.Experiments;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Trainer.Bundles;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;
using OnDeviceReco.Trainer.Training;

namespace OnDeviceReco.Server.Tests.Support;

/// <summary>
/// A real server with published versions of a small model really trained on a ring of games: v1 serving, v2 (and
/// with more candidates v3, …, the same model under other numbers) published without serving, as a retraining run
/// leaves them when a new version is to be tried first. Devices are real clients that trust the server's key.
/// </summary>
internal sealed class ExperimentServer : IAsyncDisposable
{
    public const int Games = 30;
    private static readonly Lock Training = new();

    private ExperimentServer(ServerHost server, string trustedKey)
    {
        Server = server;
        TrustedKey = trustedKey;
        Admin = new HttpClient { BaseAddress = server.Address };
        Admin.DefaultRequestHeaders.Add("X-Admin-Key", ServerHost.AdminKey);
    }

    public ServerHost Server { get; }

    public string TrustedKey { get; }

    /// <summary>An operator's client (admin key set).</summary>
    public HttpClient Admin { get; }

    public ExperimentBook Book => Server.Services.GetRequiredService<ExperimentBook>();

    public static string Game(int i) => $"game-{((i % Games) + Games) % Games}";

    public static async Task<ExperimentServer> StartAsync(Action<Hosting.ServerOptions>? configure = null, int candidates = 1)
    {
        var server = await ServerHost.StartAsync(configure);
        var registry = server.Services.GetRequiredService<ModelRegistry>();
        var signing = server.Services.GetRequiredService<ModelSigning>();
        var data = RingData();
        lock (Training)
        {
            TorchRuntime.Configure(1, 7);
            using var model = ModelFactory.Create(new ModelConfig
            {
                Name = "sasrec", Architecture = "sasrec", Dimension = 16, Blocks = 1, Heads = 1, MaxLength = 8, BatchSize = 16, Dropout = 0.1, LearningRate = 3e-3,
            }, data.Items);
            new SequenceTrainer(model, 7).Train(data.Sequences, validate: null, epochs: 3);
            for (long version = 1; version <= 1 + candidates; version++)
            {
                ModelBundleWriter.Write(registry.BundleDirectory(version), model, data, version, new Dictionary<string, double>(), signing.Key, DateTimeOffset.UtcNow);
            }
        }
        registry.Publish(registry.Verify(1), "{}", "first version");
        for (long version = 2; version <= 1 + candidates; version++)
        {
            registry.Publish(registry.Verify(version), "{}", "candidate", serve: false);
        }
        return new ExperimentServer(server, await server.ModelKeyAsync());
    }

    /// <summary>Starts v2 against v1 on <paramref name="share"/> of devices through the operator API.</summary>
    public async Task<ExperimentDefinition> StartExperimentAsync(double share, string id = "v2-vs-v1")
    {
        using var response = await Admin.PostAsJsonAsync("v1/admin/experiments", new StartExperiment(2, share, id));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return Book.Find(id)!;
    }

    /// <summary>Starts v2, v3, … (one per share) against v1 through the operator API, arms named <c>treatment-1</c>, <c>treatment-2</c>, ….</summary>
    public async Task<ExperimentDefinition> StartExperimentAsync(IReadOnlyList<double> shares, string id)
    {
        using var response = await Admin.PostAsJsonAsync("v1/admin/experiments",
            new StartExperiment(0, 0, id, Treatments: [.. shares.Select((share, i) => new StartTreatment(share, Version: 2 + i))]));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return Book.Find(id)!;
    }

    public async Task<HttpResponseMessage> DecideAsync(string id, string decision, string? arm = null) =>
        await Admin.PostAsJsonAsync($"v1/admin/experiments/{id}/decision", new OperatorDecision(decision, "test operator", arm));

    /// <summary>A dashboard page as a logged-in operator sees it.</summary>
    public async Task<string> DashboardPageAsync(string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Server.Address };
        using var login = await client.PostAsync("admin/login", new FormUrlEncodedContent([new("key", ServerHost.AdminKey)]));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", login.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
        using var response = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A device with consent that syncs quickly to the server and trusts its key.</summary>
    public RecoClient OpenDevice(TempDirectory directory, string name) => new(new RecoClientOptions
    {
        Store = new StoreOptions { DatabasePath = directory.File($"{name}/store.db"), FlushInterval = TimeSpan.FromMilliseconds(20) },
        InitialConsent = ConsentState.Granted,
        TrustedModelKeys = [TrustedKey],
        Sync = Device.FastSync(Server.Address) with { MaxBatchEvents = 500 },
    });

    private static InteractionData RingData()
    {
        var items = new ItemVocabulary();
        for (int i = 0; i < Games; i++)
        {
            items.Add(Game(i), $"Game {i}", ["Arcade"]);
        }
        var random = new Random(5);
        var users = new List<string>();
        var sequences = new List<int[]>();
        for (int u = 0; u < 120; u++)
        {
            int start = random.Next(Games);
            users.Add($"u{u}");
            sequences.Add([.. Enumerable.Range(start, random.Next(4, 10)).Select(i => items.Add(Game(i)))]);
        }
        return new InteractionData("ring", users, sequences, items);
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Server.DisposeAsync();
    }
}
