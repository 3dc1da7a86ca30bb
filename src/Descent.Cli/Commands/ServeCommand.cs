using System.CommandLine;
using Descent.Server;
using Descent.Storage;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent serve</c>: the browser UI (runs, studies, the interactive lab) of <see cref="DescentServer"/>. Prints the
/// address and serves until Ctrl+C. Binds to 127.0.0.1 unless told otherwise; any other address needs a token, which is
/// made and printed when <c>--token</c> is not given.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (0: any free port).", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "Address to bind. Other than 127.0.0.1/localhost, a token is required (made if not given).", DefaultValueFactory = _ => "127.0.0.1" };
        var token = new Option<string?>("--token") { Description = "Access token every request must carry (at least 16 letters, digits, '-' or '_')." };
        var open = new Option<bool>("--open") { Description = "Open the address in a browser (when one is there)." };
        var db = new Option<string>("--db") { Description = "The run database (SQLite) that descent train and descent tune write.", DefaultValueFactory = _ => Sqlite.DefaultPath };
        var storage = new Option<string?>("--storage") { Description = "Where the tuning studies are, when not in --db: postgresql://user@host/db?… (as descent tune --storage)." };
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var cmd = new Command("serve", "Serve a browser UI: live training runs, tuning studies and the interactive lab.") { port, host, token, open, db, storage, json, seed };
        CliApp.SetAction(cmd, p =>
        {
            string h = p.GetValue(host)!;
            string? t = p.GetValue(token);
            if (t is null && !ServeOptions.IsLoopback(h)) t = ServeOptions.NewToken();
            string? studies = p.GetValue(storage);
            if (studies is not null && PostgresUrl.IsPostgres(studies))
            {
                try { PostgresUrl.Parse(studies); }   // a malformed URL is said now, not at the first request
                catch (ArgumentException e) { throw new UserException(e.Message); }
            }
            var options = new ServeOptions(h, p.GetValue(port), t, p.GetValue(db)!, StudyStorage: studies);
            try { options.Validate(); }
            catch (ArgumentException e) { throw new UserException(e.Message); }
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            EventHandler onExit = (_, _) => stop.Cancel();   // SIGTERM: stop serving, close the database
            Console.CancelKeyPress += onCancel;
            AppDomain.CurrentDomain.ProcessExit += onExit;
            try { return Serve(options, p.GetValue(open), p.GetValue(json), stop.Token).GetAwaiter().GetResult(); }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                AppDomain.CurrentDomain.ProcessExit -= onExit;
            }
        });
        return cmd;
    }

    private static async Task<int> Serve(ServeOptions options, bool open, bool json, CancellationToken stop)
    {
        DescentServer server;
        try { server = await DescentServer.StartAsync(options, stop); }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new UserException($"cannot listen on {options.Host}:{options.Port}: the port is taken (choose another with --port, or --port 0 for any free one).");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new UserException($"cannot listen on {options.Host}:{options.Port}: {e.Message}.");
        }
        await using (server)
        {
            string address = server.BrowserAddress;
            if (json) CliApp.WriteJson(new { address, host = options.Host, port = server.Address.Port, database = Path.GetFullPath(options.Database), token = options.Token });
            else
            {
                Console.WriteLine($"descent serve: {address}");
                if (!ServeOptions.IsLoopback(options.Host)) Console.WriteLine($"  listening on {options.Host}:{server.Address.Port}; from another machine use its address with ?token={options.Token}");
                Console.WriteLine($"  runs{(options.StudyStorage is null ? " and studies" : "")} from {Path.GetFullPath(options.Database)}{(File.Exists(options.Database) ? "" : " (none yet)")} · Ctrl+C stops");
                if (options.StudyStorage is { } s) Console.WriteLine($"  studies from {(PostgresUrl.IsPostgres(s) ? PostgresUrl.Parse(s).Redacted : Path.GetFullPath(s))}");
            }
            Console.Out.Flush();
            if (open) OpenBrowser(address);
            await server.WaitAsync(stop);
        }
        return 0;
    }

    /// <summary>Opens <paramref name="address"/> with the desktop's opener, if there is one; says so when there is not.</summary>
    private static void OpenBrowser(string address)
    {
        string? opener = OperatingSystem.IsMacOS() ? "open" : OperatingSystem.IsWindows() ? "explorer" : "xdg-open";
        bool display = OperatingSystem.IsMacOS() || OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable("DISPLAY") is { Length: > 0 } || Environment.GetEnvironmentVariable("WAYLAND_DISPLAY") is { Length: > 0 };
        if (!display) { Console.Error.WriteLine("descent serve: --open: no display here, so no browser to open; open the address above yourself."); return; }
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(opener, address) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"descent serve: --open: '{opener}' was not found; open the address above yourself.");
        }
    }
}
