using System.Diagnostics;
using Descent.Storage;
using Descent.Tests.Cli;
using Descent.Tuning;
using Xunit.Abstractions;

namespace Descent.Tests.Storage;

/// <summary>
/// <c>descent tune --storage postgresql://…</c> as real worker processes on one study: eight at once, one killed with
/// SIGKILL mid-trial, the server restarted mid-study. Each test prints its figures: trials asked, stored, duplicates,
/// retries, time. Trials are synthetic (the quadratic objective, a few short epochs), so the suite stays quick.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("descent-pgfault-").FullName;

    private static PostgresServer Server => PostgresServer.Shared!;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [PostgresFact]
    public async Task EightWorkersShareOneStudyWithoutLosingOrDuplicatingTrials()
    {
        string url = Server.CreateDatabase();
        const int n = 40;
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 8).Select(_ => Worker(url, "eight", n, epochs: 3, delayMs: 20, "--pruner", "median", "--warmup", "1")).ToList();
        var results = await Finish(workers, TimeSpan.FromSeconds(90));
        var trials = Trials(url, "eight");
        Report("8 workers", n, trials, sw.Elapsed);
        Assert.All(results, r => Assert.True(r.Exit == 0, $"a worker exited {r.Exit}: {r.Err}"));
        Assert.Equal(n, trials.Count);
        Assert.All(trials, t => Assert.True(t.IsFinished, $"trial {t.Number} is {t.State}"));
        AssertNoDuplicates(trials);
    }

    [PostgresFact]
    public async Task AWorkerKilledMidTrialHasItsTrialRetried()
    {
        string url = Server.CreateDatabase();
        const int n = 6;
        var sw = Stopwatch.StartNew();
        var victim = Worker(url, "kill", n, epochs: 6, delayMs: 150);
        // The victim's trial has reported an epoch (it is mid-trial): SIGKILL it, then let a second worker finish the study.
        using var store = new PostgresStudyStore(url);
        TrialRecord? running = null;
        while (sw.Elapsed < TimeSpan.FromSeconds(45) && !victim.HasExited && running is null)
        {
            running = store.FindStudy("kill") is { } info
                ? store.Trials(info.Id).FirstOrDefault(t => t.State == TrialState.Running && t.Pid == victim.Id && t.Epochs.Count >= 1) : null;
            if (running is null) Thread.Sleep(50);
        }
        Assert.True(running is not null, "the victim never started a trial: " + (victim.HasExited ? await victim.StandardError.ReadToEndAsync() : "timeout"));
        victim.Kill();   // SIGKILL: no chance to finish the trial or release its lease
        await victim.WaitForExitAsync();
        var results = await Finish([Worker(url, "kill", n, epochs: 6, delayMs: 150)], TimeSpan.FromSeconds(90));
        var trials = Trials(url, "kill");
        Report("SIGKILL", n, trials, sw.Elapsed);
        Assert.True(results[0].Exit == 0, results[0].Err);
        var lost = trials.Single(t => t.Number == running.Number);
        Assert.Equal(TrialState.Failed, lost.State);
        Assert.Contains("worker lost", lost.Note);
        var retry = Assert.Single(trials, t => t.RetryOf == running.Number);
        Assert.Equal(TrialState.Complete, retry.State);
        Assert.Equal(running.Params, retry.Params);
        Assert.Equal(n, trials.Count(t => t.IsFinished));
        Assert.Equal(n + 1, trials.Count);
        AssertNoDuplicates(trials.Where(t => t.IsFinished).ToList());
    }

    [PostgresFact]
    public async Task TheDatabaseRestartedMidStudyLosesNoTrialAndCountsNoneTwice()
    {
        // Over TCP with the password in the URL: the reconnection messages must not show it.
        string db = PostgresServer.DatabaseOf(Server.CreateDatabase());
        string url = Server.TcpUrl(db);
        const int n = 16;
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 4).Select(_ => Worker(url, "restart", n, epochs: 4, delayMs: 100)).ToList();
        using (var store = new PostgresStudyStore(url))
        {
            while (sw.Elapsed < TimeSpan.FromSeconds(45) && workers.All(w => !w.HasExited)
                   && (store.FindStudy("restart") is not { } info || store.Trials(info.Id).Count(t => t.IsFinished) < 3))
                Thread.Sleep(50);
        }
        int doneBefore = Trials(url, "restart").Count(t => t.IsFinished);
        var down = Stopwatch.StartNew();
        Server.Restart();
        output.WriteLine($"restart: {doneBefore} trials done before it; pg_ctl restart took {down.Elapsed.TotalSeconds:0.0} s");
        var results = await Finish(workers, TimeSpan.FromSeconds(90));
        var trials = Trials(url, "restart");
        Report("DB restart", n, trials, sw.Elapsed);
        foreach (var line in results.SelectMany(r => r.Err.Split('\n')).Where(l => l.Contains("is back", StringComparison.Ordinal))) output.WriteLine(line.Trim());
        Assert.True(doneBefore < n, "the study finished before the restart; make it longer");
        Assert.All(results, r => Assert.True(r.Exit == 0, $"a worker exited {r.Exit}: {r.Err}"));
        Assert.Contains(results, r => r.Err.Contains("unreachable", StringComparison.Ordinal) && r.Err.Contains("is back", StringComparison.Ordinal));
        Assert.All(results, r => Assert.DoesNotContain(PostgresServer.Password, r.Out + r.Err));
        Assert.Equal(n, trials.Count(t => t.IsFinished));
        Assert.DoesNotContain(trials, t => t.State == TrialState.Running);
        AssertNoDuplicates(trials.Where(t => t.IsFinished).ToList());
        Assert.All(trials.Where(t => t.State == TrialState.Complete), t => Assert.Equal([1, 2, 3, 4], t.Epochs.Select(e => e.Epoch)));
    }

    [PostgresFact]
    public async Task CredentialsAreNeverPrinted()
    {
        string db = PostgresServer.DatabaseOf(Server.CreateDatabase());
        // Right password: a study runs, nothing printed shows the password (text and --json).
        var ok = await Finish([Worker(Server.TcpUrl(db), "creds", 2, epochs: 1, delayMs: 0)], TimeSpan.FromSeconds(60));
        Assert.True(ok[0].Exit == 0, ok[0].Err);
        var show = await Finish([CliProcess.Start(_dir, "tune", "show", "creds", "--storage", Server.TcpUrl(db), "--no-figures")], TimeSpan.FromSeconds(60));
        Assert.True(show[0].Exit == 0, show[0].Err);
        // Wrong password, an absent server, a malformed URL: exit 1, one line, no password.
        const string wrong = "Wr0ng-pa55-qwerty";
        string[] bad = [Server.TcpUrl(db, wrong), $"postgresql://{PostgresServer.User}:{wrong}@127.0.0.1:1/{db}", $"postgresql://{PostgresServer.User}:{wrong}@127.0.0.1:{Server.Port}/{db}?bogus=1"];
        var failed = await Finish(bad.Select(u => CliProcess.Start(_dir, "tune", "--study", "creds", "--objective", "quadratic", "--trials", "1", "--storage", u)).ToList(), TimeSpan.FromSeconds(60));
        foreach (var r in ok.Concat(show))
            Assert.DoesNotContain(PostgresServer.Password, r.Out + r.Err);
        foreach (var r in failed)
        {
            output.WriteLine(r.Err.Trim());
            Assert.Equal(1, r.Exit);
            Assert.DoesNotContain(wrong, r.Out + r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", r.Err);
        }
    }

    [PostgresFact]
    public async Task ServeReadsTheStudiesFromPostgres()
    {
        string db = PostgresServer.DatabaseOf(Server.CreateDatabase());
        var tuned = await Finish([Worker(Server.TcpUrl(db), "served", 3, epochs: 1, delayMs: 0)], TimeSpan.FromSeconds(60));
        Assert.True(tuned[0].Exit == 0, tuned[0].Err);
        using var serve = CliProcess.Start(_dir, "serve", "--port", "0", "--storage", Server.TcpUrl(db));
        try
        {
            string? address = null;
            var lines = new List<string>();
            while (address is null && await serve.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Add(line);
                if (line.StartsWith("descent serve: http", StringComparison.Ordinal)) address = line["descent serve: ".Length..];
            }
            Assert.True(address is not null, "descent serve printed no address: " + string.Join("\n", lines));
            lines.Add(await serve.StandardOutput.ReadLineAsync() ?? "");
            lines.Add(await serve.StandardOutput.ReadLineAsync() ?? "");
            Assert.Contains(lines, l => l.Contains("studies from postgresql://descent:***@127.0.0.1", StringComparison.Ordinal));
            Assert.DoesNotContain(PostgresServer.Password, string.Join("\n", lines));
            using var http = new HttpClient();
            string list = await http.GetStringAsync(address + "api/studies");
            var served = System.Text.Json.JsonDocument.Parse(list).RootElement.EnumerateArray().Single();
            Assert.Equal("served", served.GetProperty("name").GetString());
            Assert.Equal(3, served.GetProperty("complete").GetInt32());
        }
        finally
        {
            serve.Kill();
            await serve.WaitForExitAsync();
        }
    }

    private Process Worker(string url, string study, int trials, int epochs, int delayMs, params string[] more) =>
        CliProcess.Start(_dir, ["tune", "--study", study, "--objective", "quadratic", "--trials", $"{trials}", "--epochs", $"{epochs}",
            "--epoch-delay-ms", $"{delayMs}", "--storage", url, "--json", .. more]);

    private static async Task<List<(int Exit, string Out, string Err)>> Finish(List<Process> workers, TimeSpan timeout)
    {
        var reads = workers.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToList();
        using var cancel = new CancellationTokenSource(timeout);
        try { foreach (var w in workers) await w.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException)
        {
            foreach (var w in workers) if (!w.HasExited) w.Kill();
            throw new TimeoutException($"the workers did not finish within {timeout.TotalSeconds} s");
        }
        var results = new List<(int, string, string)>();
        for (int i = 0; i < workers.Count; i++) { results.Add((workers[i].ExitCode, await reads[i].Out, await reads[i].Err)); workers[i].Dispose(); }
        return results;
    }

    private static IReadOnlyList<TrialRecord> Trials(string url, string study)
    {
        using var store = new PostgresStudyStore(url);
        return store.Trials(store.FindStudy(study)!.Id);
    }

    /// <summary>No trial number and no parameter set twice.</summary>
    private static void AssertNoDuplicates(IReadOnlyList<TrialRecord> trials)
    {
        Assert.Equal(trials.Count, trials.Select(t => t.Number).Distinct().Count());
        Assert.Equal(trials.Count, trials.Select(t => string.Join(",", t.Params.Values)).Distinct().Count());
    }

    private void Report(string what, int asked, IReadOnlyList<TrialRecord> trials, TimeSpan time)
    {
        int finished = trials.Count(t => t.IsFinished);
        int duplicates = finished - trials.Where(t => t.IsFinished).Select(t => string.Join(",", t.Params.Values)).Distinct().Count();
        output.WriteLine($"{what}: trials asked {asked}, stored {trials.Count} ({trials.Count(t => t.State == TrialState.Complete)} complete, " +
            $"{trials.Count(t => t.State == TrialState.Pruned)} pruned, {trials.Count(t => t.State == TrialState.Failed)} failed, " +
            $"{trials.Count(t => t.State == TrialState.Running)} running), duplicates {duplicates}, retries {trials.Count(t => t.RetryOf != null)}, " +
            $"time {time.TotalSeconds:0.0} s");
    }
}
