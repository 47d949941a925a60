using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OnDeviceReco.TestSupport;

/// <summary>
/// A throwaway PostgreSQL server for tests, demos and the load test: <c>initdb</c> into a temporary directory,
/// <c>pg_ctl start</c> on a free loopback port, removed again on dispose. Uses the PostgreSQL binaries installed
/// on the machine (Debian: /usr/lib/postgresql/&lt;version&gt;/bin). PostgreSQL refuses to run as root, so as
/// root it runs as the <c>postgres</c> system user the package creates.
/// </summary>
public sealed class TemporaryPostgres : IDisposable
{
    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asPostgresUser;
    private bool _stopped;

    private TemporaryPostgres(string bin, string directory, int port, bool asPostgresUser)
    {
        _bin = bin;
        _directory = directory;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A connection string for the server's own database, as the superuser <c>odr</c>.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=odr;Database=postgres;Pooling=true;Maximum Pool Size=64";

    /// <summary>The directory of the newest installed PostgreSQL's binaries, or null when none is installed.</summary>
    public static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }
        return Directory.EnumerateDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out int v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.Dir, "initdb")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    /// <exception cref="InvalidOperationException">When PostgreSQL is not installed or does not start.</exception>
    public static TemporaryPostgres Start()
    {
        string bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (apt-get install postgresql); it is needed for the PostgreSQL store's tests and the load test.");
        bool root = Environment.UserName == "root";
        string directory = Path.Combine(Path.GetTempPath(), "odr-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        if (root)
        {
            Run("chown", ["postgres:postgres", directory], asPostgresUser: false);
        }
        int port = FreePort();
        var server = new TemporaryPostgres(bin, directory, port, root);
        try
        {
            server.RunTool("initdb", ["-D", server.DataDirectory, "-U", "odr", "-A", "trust", "-E", "UTF8", "--no-sync"]);
            server.RunTool("pg_ctl", ["-D", server.DataDirectory, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o",
                $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB", "start"]);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Creates an empty database and returns its connection string (one per test keeps tests apart).</summary>
    public string CreateDatabase(string name)
    {
        using var dataSource = Npgsql.NpgsqlDataSource.Create(ConnectionString);
        using var command = dataSource.CreateCommand($"CREATE DATABASE \"{name}\"");
        command.ExecuteNonQuery();
        return ConnectionString.Replace("Database=postgres", $"Database={name}", StringComparison.Ordinal);
    }

    /// <summary>Everything database <paramref name="name"/> holds, as pg_dump writes it (schema and rows, as SQL text).</summary>
    public string Dump(string name) => RunTool("pg_dump", ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "odr", "-d", name]);

    /// <summary>Stops the server (immediate shutdown: no checkpoint) and deletes its files.</summary>
    public void Dispose()
    {
        if (!_stopped)
        {
            _stopped = true;
            try
            {
                RunTool("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already gone: nothing to stop.
            }
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string RunTool(string tool, string[] arguments) => Run(Path.Combine(_bin, tool), arguments, _asPostgresUser);

    private static string Run(string program, string[] arguments, bool asPostgresUser)
    {
        var start = new ProcessStartInfo(asPostgresUser ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser)
        {
            foreach (string a in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(a);
            }
        }
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within 2 minutes.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}{output.Result}");
        }
        return output.Result;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
