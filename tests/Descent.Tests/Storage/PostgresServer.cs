using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Descent.Tests.Storage;

/// <summary>
/// A private PostgreSQL server for the tests: <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> listening on a
/// Unix socket in that folder (trust) and on a free 127.0.0.1 port (password, SCRAM), stopped and deleted when the test
/// process exits. As root (CI) the server runs as the <c>postgres</c> user, since <c>initdb</c> refuses root. Started once,
/// on first use; <see cref="Shared"/> is null, and <see cref="Reason"/> says why, when it cannot start.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>The superuser's name.</summary>
    public const string User = "descent";

    /// <summary>The superuser's password (over TCP); the credential tests look for it in every output.</summary>
    public const string Password = "s3cret-Pa55word-xyzzy";

    private static readonly Lazy<(PostgresServer? Server, string? Reason)> Instance = new(Start);
    private readonly string _bin;
    private int _databases;
    private int _stopped;

    private PostgresServer(string bin, string root, int port)
    {
        _bin = bin; Root = root; Port = port;
    }

    /// <summary>The running server, or null when it could not start.</summary>
    public static PostgresServer? Shared => Instance.Value.Server;

    /// <summary>Why there is no server (null when there is one).</summary>
    public static string? Reason => Instance.Value.Reason;

    /// <summary>The folder of the data, the log and the socket.</summary>
    public string Root { get; }

    /// <summary>The TCP port on 127.0.0.1 (the socket is <c>Root/.s.PGSQL.Port</c>).</summary>
    public int Port { get; }

    private string Data => Path.Combine(Root, "data");

    /// <summary>A new empty database; its URL over the Unix socket (no password needed).</summary>
    public string CreateDatabase()
    {
        string name = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..20];
        using (var c = new NpgsqlConnection($"Host={Root};Port={Port};Username={User};Database=postgres;Pooling=false"))
        {
            c.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            cmd.ExecuteNonQuery();
        }
        return SocketUrl(name);
    }

    /// <summary>The URL of database <paramref name="db"/> over the Unix socket.</summary>
    public string SocketUrl(string db) => $"postgresql://{User}@/{db}?host={Uri.EscapeDataString(Root)}&port={Port}";

    /// <summary>The URL of database <paramref name="db"/> over TCP, with the password (or <paramref name="password"/>) in it.</summary>
    public string TcpUrl(string db, string password = Password) => $"postgresql://{User}:{Uri.EscapeDataString(password)}@127.0.0.1:{Port}/{db}";

    /// <summary>The database name of a URL made by <see cref="CreateDatabase"/>.</summary>
    public static string DatabaseOf(string url) => url[(url.IndexOf("@/", StringComparison.Ordinal) + 2)..url.IndexOf('?', StringComparison.Ordinal)];

    /// <summary><c>pg_ctl restart -m fast</c>: every connection is cut, the server is down for a moment, then accepts again.</summary>
    public void Restart() => Run("pg_ctl", "-D", Data, "-w", "-t", "60", "-m", "fast", "restart");

    /// <summary>Stops the server and deletes its folder (once; later calls do nothing).</summary>
    public void Dispose()
    {
        using var stop = Stop();
        stop?.WaitForExit(60_000);
    }

    /// <summary>Stops the shared server if it was started (the end of the PostgreSQL test collection).</summary>
    internal static void StopShared()
    {
        if (Instance.IsValueCreated) Instance.Value.Server?.Dispose();
    }

    /// <summary>
    /// Starts <c>pg_ctl stop -m immediate</c> and the deletion of the folder in a shell of their own, so they finish even
    /// when the test host is ended right after its exit handlers start; null if already stopped.
    /// </summary>
    private Process? Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return null;
        string stop = $"'{Path.Combine(_bin, "pg_ctl")}' -D '{Data}' -w -t 30 -m immediate stop";
        if (Environment.UserName == "root") stop = "/usr/sbin/runuser -u postgres -- " + stop;
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = "/" };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"{stop} >/dev/null 2>&1; rm -rf '{Root}'");
        return System.Diagnostics.Process.Start(psi);
    }

    private static (PostgresServer?, string?) Start()
    {
        string? bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (bin is null) return (null, "needs PostgreSQL's server (Debian package postgresql: /usr/lib/postgresql/*/bin/initdb), which is not installed");
        bool root = Environment.UserName == "root";
        if (root && !File.Exists("/usr/sbin/runuser")) return (null, "runs as root and needs runuser to start PostgreSQL as the postgres user");
        string dir = Path.Combine(Path.GetTempPath(), "descent-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var server = new PostgresServer(bin, dir, FreePort());
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "pw"), Password);
            if (root) Process("chown", "-R", "postgres:postgres", dir);
            server.Run("initdb", "-D", server.Data, "-U", User, "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile", Path.Combine(dir, "pw"),
                "-E", "UTF8", "--no-sync");
            server.Run("pg_ctl", "-D", server.Data, "-l", Path.Combine(dir, "log"), "-w", "-t", "60",
                "-o", $"-k {dir} -h 127.0.0.1 -p {server.Port} -c fsync=off -c synchronous_commit=off -c max_connections=200", "start");
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            server.Dispose();
            return (null, $"could not start a private PostgreSQL server: {e.Message}");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop()?.Dispose();   // not waited for: the host may be ended at any moment
        return (server, null);
    }

    private void Run(string tool, params string[] args)
    {
        string exe = Path.Combine(_bin, tool);
        if (Environment.UserName == "root") Process("/usr/sbin/runuser", ["-u", "postgres", "--", exe, .. args]);
        else Process(exe, args);
    }

    private static void Process(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(); throw new InvalidOperationException($"{Path.GetFileName(exe)} did not finish within 120 s"); }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(exe)} {string.Join(' ', args.Take(3))}… exited {p.ExitCode}: {(err.Result + output.Result).Trim().Split('\n')[^1]}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>A test that needs the private PostgreSQL server: Skipped, with the reason, when it cannot start.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <summary>Skips the test unless <see cref="PostgresServer.Shared"/> is running.</summary>
    public PostgresFactAttribute()
    {
        if (PostgresServer.Reason is { } reason) Skip = reason;
    }
}

/// <summary>
/// The tests on the one server run one at a time (a restart would cut the others' connections), and the server is
/// stopped and deleted when they are done.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCollection.Lifetime>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "postgres";

    /// <summary>Stops the shared server at the end of the collection.</summary>
    public sealed class Lifetime : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => PostgresServer.StopShared();
    }
}
