using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration.Memory;

namespace OnDeviceReco.Server.Hosting;

/// <summary>Builds the server: Kestrel on <see cref="ServerOptions.Urls"/>, the endpoints by feature, the retraining job.</summary>
public static class RecoServer
{
    /// <param name="options">Validated before anything starts.</param>
    /// <param name="configure">Last word on the builder (logging, test settings).</param>
    /// <param name="args">Command-line arguments for the standard configuration sources.</param>
    public static WebApplication Build(ServerOptions options, Action<WebApplicationBuilder>? configure = null, string[]? args = null)
    {
        options.Validate();
        Directory.CreateDirectory(options.DataDirectory);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args ?? [], ContentRootPath = AppContext.BaseDirectory });
        // ASP.NET Core logs two Information lines per request; under device load that is thousands a second. Its
        // warnings and errors stay. Inserted first, so appsettings, environment and command line still override it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        builder.Services.AddOnDeviceRecoServer(options);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapOnDeviceReco();
        return app;
    }

    /// <summary>
    /// The address a started app listens on — the port Kestrel picked when <see cref="ServerOptions.Urls"/>
    /// asked for port 0 (tests, benchmarks and the in-process demo run that way).
    /// </summary>
    public static Uri ListeningAddress(this WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
}
