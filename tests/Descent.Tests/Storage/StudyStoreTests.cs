using System.Diagnostics;
using Descent.Storage;
using Descent.Tests.Tuning;
using Descent.Tuning;

namespace Descent.Tests.Storage;

public sealed class StudyStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "descent-study-" + Guid.NewGuid().ToString("N"));
    private string Db => Path.Combine(_dir, "descent.db");

    public void Dispose()
    {
        try { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public void TrialsParametersAndMetricsRoundTrip()
    {
        StudyStorageContract.TrialsParametersAndMetricsRoundTrip(() => new StudyStore(Db));
    }

    [Fact]
    public void AKilledWorkersTrialIsRetried()
    {
        var runner = new FuncRunner((p, e) => p.GetDouble("x"), epochs: 2);
        var space = new SearchSpace().Add("x", new UniformDistribution(0, 1));
        using var store = new StudyStore(Db);
        var study = Study.Open(store, "killed", space, runner, new StudyOptions { Trials = 3 });
        // A worker on this host whose process is gone (its pid no longer exists) left trial 0 running; its lease
        // has not even expired yet: the dead pid alone identifies it.
        int deadPid = DeadPid();
        store.Insert(study.Info.Id, new TrialRecord
        {
            Number = 0, State = TrialState.Running, Params = new() { ["x"] = 0.25 }, Worker = $"{Environment.MachineName}:{deadPid}:w1",
            Host = Environment.MachineName, Pid = deadPid, LeaseUntil = DateTime.UtcNow + TimeSpan.FromMinutes(5), Started = DateTime.UtcNow,
        });
        // Another one on another host whose lease expired.
        store.Insert(study.Info.Id, new TrialRecord
        {
            Number = 1, State = TrialState.Running, Params = new() { ["x"] = 0.75 }, Host = "elsewhere", Pid = 42,
            LeaseUntil = DateTime.UtcNow - TimeSpan.FromSeconds(5), Started = DateTime.UtcNow - TimeSpan.FromMinutes(2),
        });
        study.Optimize(runner);
        var trials = store.Trials(study.Info.Id);
        Assert.Equal(TrialState.Failed, trials[0].State);
        Assert.Equal(TrialState.Failed, trials[1].State);
        var r0 = Assert.Single(trials, t => t.RetryOf == 0);
        var r1 = Assert.Single(trials, t => t.RetryOf == 1);
        Assert.Equal(0.25, (double)r0.Params["x"]);
        Assert.Equal(0.75, (double)r1.Params["x"]);
        Assert.Equal(3, trials.Count(t => t.State == TrialState.Complete));
        Assert.Equal(5, trials.Count);
    }

    [Fact]
    public void AFinishedTrialIsNotOverwrittenByItsLostWorker()
    {
        using var store = new StudyStore(Db);
        var space = new SearchSpace().Add("x", new UniformDistribution(0, 1));
        var info = store.OpenStudy("late", space, Direction.Minimize, "loss");
        var w = WorkerInfo.ForThisProcess("a");
        var t = store.Claim(info.Id, new ClaimRequest(w, 5, TimeSpan.FromSeconds(10), 1, _ => new TrialPlan(new() { ["x"] = 0.5 })))!;
        store.Clock = () => DateTime.UtcNow + TimeSpan.FromMinutes(1); // the lease expires …
        var other = WorkerInfo.ForThisProcess("b") with { Host = "x", Pid = 1 };
        var retry = store.Claim(info.Id, new ClaimRequest(other, 5, TimeSpan.FromSeconds(10), 1, _ => new TrialPlan(new() { ["x"] = 0.9 })))!;
        Assert.Equal(0, retry.RetryOf);
        Assert.False(store.Heartbeat(t.Id, DateTime.UtcNow + TimeSpan.FromHours(1))); // … so the old worker learns it lost the trial
        Assert.False(store.Finish(t.Id, TrialState.Complete, 1.0, null));
        Assert.True(store.Finish(retry.Id, TrialState.Complete, 0.5, null));
        Assert.Equal(TrialState.Failed, store.Trials(info.Id)[0].State);
    }

    /// <summary>Two OS processes (the built CLI) work on one SQLite study: exactly N trials, no number or parameters twice.</summary>
    [Fact]
    public async Task TwoProcessesShareOneStudyWithoutLosingOrDuplicatingTrials()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "descent-cli.dll");
        Assert.True(File.Exists(cli), $"{cli} not found");
        Directory.CreateDirectory(_dir);
        const int n = 24;
        Process Start() => Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { cli, "tune", "--study", "shared", "--objective", "quadratic", "--trials", $"{n}", "--parallel", "2",
                "--epochs", "3", "--epoch-delay-ms", "25", "--db", Db, "--json" },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        using var a = Start();
        using var b = Start();
        var outs = new[] { a, b }.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await a.WaitForExitAsync(timeout.Token);
        await b.WaitForExitAsync(timeout.Token);
        string errA = await outs[0].Err, errB = await outs[1].Err;
        Assert.True(a.ExitCode == 0, $"worker a: exit {a.ExitCode}: {errA}");
        Assert.True(b.ExitCode == 0, $"worker b: exit {b.ExitCode}: {errB}");
        await outs[0].Out; await outs[1].Out;

        using var store = new StudyStore(Db);
        var trials = store.Trials(store.FindStudy("shared")!.Id);
        Assert.Equal(n, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(Enumerable.Range(0, n), trials.Select(t => t.Number).Order());
        Assert.Equal(n, trials.Select(t => string.Join(",", t.Params.Values)).Distinct().Count());
        Assert.All(trials, t => Assert.Equal(3, t.Epochs.Count));
    }

    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }
}
