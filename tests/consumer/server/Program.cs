// A team's own ASP.NET Core app hosting the OnDeviceReco server from its package (build/consumer-tests.sh:
// dotnet new web + dotnet add package OnDeviceReco.Server), never by project reference. Options come from the
// "Reco" configuration section (here the command line) and are validated when the host starts.
using OnDeviceReco.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddOnDeviceRecoServer(builder.Configuration.GetSection("Reco"));
var app = builder.Build();
app.MapGet("/", () => "the team's own endpoint, beside OnDeviceReco's");
app.MapOnDeviceReco();
app.Run();
