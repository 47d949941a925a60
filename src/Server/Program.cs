using OnDeviceReco.Server.Hosting;

// dotnet run --project src/Server -- --Reco:ApiKeys:0=<key> [--Reco:DataDirectory=server-data] [--Reco:CatalogueDirectory=data/movielens-small]
var configuration = new ConfigurationBuilder()
    .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build();
var options = configuration.GetSection("Reco").Get<ServerOptions>() ?? new ServerOptions();
try
{
    options.Validate();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
await RecoServer.Build(options, args: args).RunAsync();
return 0;
