using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// Issue 11: the server hosted in a team's own ASP.NET Core app through AddOnDeviceRecoServer / MapOnDeviceReco,
/// options bound from a configuration section and validated when the host starts.
/// </summary>
public sealed class HostingExtensionsTests
{
    [Fact]
    public async Task A_host_of_its_own_binds_the_Reco_section_and_serves_health()
    {
        using var temp = new TempDirectory();
        int port = Ports.Free();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Reco:ApiKeys:0"] = "app-key",
            ["Reco:DataDirectory"] = temp.File("data"),
            ["Reco:Retraining:Enabled"] = "false",
        });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddOnDeviceRecoServer(builder.Configuration.GetSection("Reco"));
        await using var app = builder.Build();
        app.MapOnDeviceReco();
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var health = await http.GetAsync("health");
        Assert.True(health.IsSuccessStatusCode, $"/health answered {(int)health.StatusCode}");
        Assert.Equal(["app-key"], app.Services.GetRequiredService<ServerOptions>().ApiKeys);
        await app.StopAsync();
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start_with_the_reason()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddOnDeviceRecoServer(options => options.ApiKeys.Clear());
        await using var app = builder.Build();
        app.MapOnDeviceReco();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Reco:ApiKeys", error.Message);
    }
}
