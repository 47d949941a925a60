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
/// A real server with two published versions of a small model really trained on a ring of games: v1 serving, v2
/// published without serving, as a retraining run leaves them when a new version is to be tried first. Devices are
/// real clients that trust the server's key.
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

    public static async Task<ExperimentServer> StartAsync(Action<Hosting.ServerOptions>? configure = null)
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
            foreach (long version in (long[])[1, 2])
            {
                ModelBundleWriter.Write(registry.BundleDirectory(version), model, data, version, new Dictionary<string, double>(), signing.Key, DateTimeOffset.UtcNow);
            }
        }
        registry.Publish(registry.Verify(1), "{}", "first version");
        registry.Publish(registry.Verify(2), "{}", "candidate", serve: false);
        return new ExperimentServer(server, await server.ModelKeyAsync());
    }

    /// <summary>Starts v2 against v1 on <paramref name="share"/> of devices through the operator API.</summary>
    public async Task<ExperimentDefinition> StartExperimentAsync(double share, string id = "v2-vs-v1")
    {
        using var response = await Admin.PostAsJsonAsync("v1/admin/experiments", new StartExperiment(2, share, id));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return Book.Find(id)!;
    }

    public async Task<HttpResponseMessage> DecideAsync(string id, string decision) =>
        await Admin.PostAsJsonAsync($"v1/admin/experiments/{id}/decision", new OperatorDecision(decision, "test operator"));

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
