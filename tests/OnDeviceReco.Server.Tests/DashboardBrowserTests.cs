using Microsoft.Extensions.DependencyInjection;
using System.Net;
using OnDeviceReco.Protocol.Wire;
using OnDeviceReco.Server.Tests.Support;
using OpenQA.Selenium;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// The operator's dashboard in a real browser (Debian's chromium, headless): a short loop trains and publishes real
/// models (TorchSharp, tiny: 120 items, a few epochs), the operator signs in, sees v1 and v2, rolls back to v1 — and
/// devices are offered v1. A wrong key is refused. Each page is saved under artifacts/dashboard/.
/// </summary>
public sealed class DashboardBrowserTests
{
    private static readonly RingGames Ring = new(120);

    [Fact]
    public async Task Operator_signs_in_sees_v1_and_v2_rolls_back_and_devices_are_offered_v1()
    {
        await using var server = await ServerHost.StartAsync(options =>
        {
            RingGames.RetrainOnceSynced(options.Retraining);
            options.Retraining.MaxEpochs = 20;
            // One torch thread and every event in before the first run: the same v1 every run.
            options.Retraining.Threads = 1;
        });
        using var directory = new TempDirectory();
        string trustedKey = await server.ModelKeyAsync();
        await Ring.SyncPlayersAsync(directory, server, trustedKey);
        var first = await server.WaitForStatsAsync(s => s.RetrainingRuns >= 1, TimeSpan.FromMinutes(3));
        Assert.True(first.ServingVersion == 1, $"v1 was kept back: {first}; {LastRun(server)}");
        // A device downloads v1 (counted on /metrics).
        using (var device = RingGames.OpenDevice(directory, server, trustedKey, "device-0"))
        {
            Assert.Equal(1, (await device.SyncAsync()).ModelVersion);
        }

        using var browser = new Browser();
        var admin = new Uri(server.Address, "admin");
        browser.Open(admin);
        Assert.EndsWith("/admin/login", browser.Driver.Url);
        browser.Screenshot("01-login");

        // A wrong key: refused, no session.
        browser.Find("#key").SendKeys("not-the-operator-key");
        browser.Find("#sign-in").Click();
        Assert.Contains("not the operator key", browser.Find("#login-error").Text);
        Assert.Null(browser.Driver.Manage().Cookies.GetCookieNamed("odr_admin"));
        browser.Screenshot("02-login-refused");

        browser.Find("#key").SendKeys(ServerHost.AdminKey);
        browser.Find("#sign-in").Click();
        Assert.Equal("v1", browser.Find("#serving-version").Text);
        var cookie = browser.Driver.Manage().Cookies.GetCookieNamed("odr_admin");
        Assert.NotNull(cookie);
        Assert.True(cookie.IsHttpOnly);
        Assert.Equal("Strict", cookie.SameSite);
        Assert.DoesNotContain(ServerHost.AdminKey, cookie.Value);

        // A second run, trained longer (1.0 in the same three runs) on the same feedback, started from the dashboard: the gate publishes it as v2.
        server.Options.Retraining.MaxEpochs = 60;
        browser.Open(new Uri(server.Address, "admin/models"));
        browser.Find("#retrain-now").Click();
        browser.WaitForPath("/admin/retraining");
        var stats = await server.WaitForStatsAsync(s => s.RetrainingRuns >= 2, TimeSpan.FromMinutes(3));
        Assert.True(stats.ServingVersion == 2, $"v2 was kept back: {stats}; {LastRun(server)}");

        browser.Open(admin);
        Assert.Equal("v2", browser.Find("#serving-version").Text);
        browser.Screenshot("03-overview");

        browser.Open(new Uri(server.Address, "admin/models"));
        Assert.Contains("serving", browser.Find("#model-v2").Text);
        Assert.Contains("published", browser.Find("#model-v1").Text);
        Assert.NotEmpty(browser.Driver.FindElements(By.CssSelector("svg circle")));
        browser.Screenshot("04-models");

        // Roll back: the button leads to a confirmation, the confirmation serves v1.
        browser.Find("#serve-v1").Click();
        browser.WaitForPath("/admin/models/1/serve");
        browser.Screenshot("05-confirm-serve");
        browser.Find("#confirm-serve").Click();
        Assert.Contains("Now serving v1", browser.Find("#notice").Text);
        Assert.Contains("serving", browser.Find("#model-v1").Text);
        browser.Screenshot("06-models-after-rollback");

        // Devices are offered v1 again.
        string deviceId = Guid.NewGuid().ToString("N");
        string token = await server.RegisterAsync(deviceId, ServerHost.NewSecret());
        using (var latest = await server.Http.SendAsync(ServerHost.DeviceRequest(HttpMethod.Get, "v1/models/latest", deviceId, token)))
        {
            Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
            Assert.Equal(1, WireCodec.DecodeRelease(await latest.Content.ReadAsByteArrayAsync()).ModelVersion);
        }

        browser.Open(new Uri(server.Address, "admin/retraining"));
        var runs = browser.Driver.FindElements(By.CssSelector("#runs tbody tr"));
        Assert.Equal(2, runs.Count);
        Assert.Contains("published v2", runs[0].Text);
        Assert.Contains("published v1", runs[1].Text);
        browser.Screenshot("07-retraining");

        browser.Open(new Uri(server.Address, "admin/traffic"));
        Assert.Contains("Devices", browser.Text);
        browser.Screenshot("08-traffic");

        // The same story on /metrics.
        var metrics = await ScrapeAsync(server);
        Assert.Equal(2, metrics.Value("reco_retraining_runs_total", ("outcome", "published")));
        Assert.Equal(2, metrics.Value("reco_retraining_duration_seconds_count"));
        Assert.Equal(1, metrics.Value("reco_model_serving_version"));
        Assert.True(metrics.Value("reco_model_serving_quality", ("metric", "ndcg@10")) > 0);
        Assert.True(metrics.Value("reco_model_downloads_total", ("version", "1")) >= 1);
        Assert.True(metrics.Value("reco_auth_failures_total", ("credential", "admin_login")) >= 1);

        // Signing out ends the session in this browser.
        browser.Find("header form.logout button").Click();
        browser.WaitForPath("/admin/login");
        browser.Open(admin);
        Assert.EndsWith("/admin/login", browser.Driver.Url);
    }

    private static string LastRun(ServerHost server) =>
        server.Services.GetRequiredService<OnDeviceReco.Feedback.IModelRegistryStore>().Runs(1) is [var run]
            ? $"last run {run.Outcome} v{run.Version}: {run.Detail}" : "no run recorded";

    private static async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(ServerHost server)
    {
        // The exporter may serve a snapshot up to a second old.
        await Task.Delay(1100);
        using var response = await server.Http.GetAsync("metrics");
        response.EnsureSuccessStatusCode();
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
