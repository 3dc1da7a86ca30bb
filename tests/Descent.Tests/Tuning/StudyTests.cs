using Descent.Tuning;

namespace Descent.Tests.Tuning;

public class StudyTests
{
    private static readonly SearchSpace Space = new SearchSpace().Add("lr", new LogUniformDistribution(1e-4, 1)).Add("x", new UniformDistribution(0, 1));

    [Fact]
    public void CaviarRunsExactlyNTrialsOnKThreadsWithNoDuplicates()
    {
        var runner = new FuncRunner((p, e) => p.GetDouble("x") + 1.0 / e, epochs: 3) { BeforeRun = _ => Thread.Sleep(2) };
        var study = Study.Open(new InMemoryStudyStorage(), "caviar", Space, runner, new StudyOptions { Trials = 40, Parallel = 4, Cores = 8 });
        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();
        var r2 = new FuncRunner((p, e) => p.GetDouble("x") + 1.0 / e, epochs: 3) { BeforeRun = c => { threads.Add(c.Threads); Thread.Sleep(2); } };
        study.Optimize(r2);
        var trials = study.Trials();
        Assert.Equal(40, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(Enumerable.Range(0, 40), trials.Select(t => t.Number).Order());
        Assert.Equal(40, trials.Select(t => t.Params["x"]).Distinct().Count());
        Assert.All(threads, n => Assert.Equal(2, n)); // 8 cores shared by 4 trials
        // Running again with the same target does nothing more; a larger target adds the difference.
        study.Optimize(r2);
        Assert.Equal(40, study.Trials().Count);
    }

    [Fact]
    public void AKilledWorkersTrialIsMarkedFailedAndRetriedWithTheSameParameters()
    {
        var storage = new InMemoryStudyStorage();
        var runner = new FuncRunner((p, e) => p.GetDouble("x"), epochs: 2);
        var study = Study.Open(storage, "killed", Space, runner, new StudyOptions { Trials = 3, Lease = TimeSpan.FromSeconds(30) });
        var lostParams = new Dictionary<string, object> { ["lr"] = 0.01, ["x"] = 0.123 };
        storage.Insert(study.Info.Id, new TrialRecord
        {
            Number = 0, State = TrialState.Running, Params = lostParams, Worker = "gone", Host = "another-host", Pid = 1,
            LeaseUntil = DateTime.UtcNow - TimeSpan.FromSeconds(1), Started = DateTime.UtcNow - TimeSpan.FromMinutes(1),
        });
        study.Optimize(runner);
        var trials = study.Trials();
        Assert.Equal(TrialState.Failed, trials[0].State);
        Assert.Contains("worker lost", trials[0].Note);
        var retry = Assert.Single(trials, t => t.RetryOf == 0);
        Assert.Equal(TrialState.Complete, retry.State);
        Assert.Equal(0.123, (double)retry.Params["x"]);
        Assert.Equal(3, trials.Count(t => t.State == TrialState.Complete));
    }

    [Fact]
    public void ALiveLeaseIsNotStolen()
    {
        var storage = new InMemoryStudyStorage();
        var runner = new FuncRunner((p, e) => p.GetDouble("x"), epochs: 1);
        var study = Study.Open(storage, "alive", Space, runner, new StudyOptions { Trials = 2 });
        storage.Insert(study.Info.Id, new TrialRecord
        {
            Number = 0, State = TrialState.Running, Params = new() { ["lr"] = 0.1, ["x"] = 0.5 }, Host = "another-host", Pid = 1,
            LeaseUntil = DateTime.UtcNow + TimeSpan.FromMinutes(5), Started = DateTime.UtcNow,
        });
        study.Optimize(runner);
        var trials = study.Trials();
        Assert.Equal(TrialState.Running, trials[0].State); // still someone else's
        Assert.Equal(2, trials.Count);
    }

    [Fact]
    public void AThrowingObjectiveFailsAndIsRetriedOnce()
    {
        int calls = 0;
        var runner = new FuncRunner((p, e) => 1.0, epochs: 1)
        {
            BeforeRun = c => { if (Interlocked.Increment(ref calls) == 1) throw new InvalidOperationException("out of disk"); },
        };
        var study = Study.Open(new InMemoryStudyStorage(), "throws", Space, runner, new StudyOptions { Trials = 2 });
        study.Optimize(runner);
        var trials = study.Trials();
        Assert.Equal(3, trials.Count);
        Assert.Equal(TrialState.Failed, trials[0].State);
        Assert.Contains("out of disk", trials[0].Note);
        Assert.Equal(0, trials[1].RetryOf);
        Assert.Equal(trials[0].Params["x"], trials[1].Params["x"]);
    }

    [Fact]
    public void PandaResumesFromTheCheckpointWithAChangedLearningRate()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-panda-" + Guid.NewGuid().ToString("N"));
        try
        {
            var obj = SyntheticObjective.Create("quadratic", epochs: 3, noise: 0);
            var study = Study.Open(new InMemoryStudyStorage(), "panda", obj.DefaultSpace, obj, new StudyOptions { CheckpointDirectory = dir });
            var first = study.Babysit(obj, new() { ["lr"] = 0.3, ["momentum"] = 0.968, ["hidden"] = 256L, ["batch-size"] = 64.0 });
            Assert.Equal([1, 2, 3], first.Epochs.Select(e => e.Epoch));
            Assert.True(File.Exists(Path.Combine(dir, "trial-0.ckpt")));
            var second = study.Babysit(obj, new(first.Params) { ["lr"] = 3.16e-3 }, resumeFrom: 0);
            Assert.Equal(0, second.ResumedFrom);
            Assert.Equal([4, 5, 6], second.Epochs.Select(e => e.Epoch));
            Assert.True(second.Epochs[0].Value < first.Epochs[^1].Value); // continues from the checkpoint towards the better optimum
            Assert.True(second.Epochs[0].Value > obj.FinalLoss(second.Parameters) + 0.1); // … not from scratch, not already converged
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void CancellationStopsTheRunningTrials()
    {
        using var cts = new CancellationTokenSource();
        var runner = new FuncRunner((p, e) => { if (e == 2) cts.Cancel(); return 1.0; }, epochs: 5);
        var study = Study.Open(new InMemoryStudyStorage(), "stop", Space, runner, new StudyOptions { Trials = 10 });
        study.Optimize(runner, cancellation: cts.Token);
        var t = Assert.Single(study.Trials());
        Assert.Equal(TrialState.Pruned, t.State);
        Assert.Equal("stopped by the user", t.Note);
        Assert.Equal(2, t.Epochs.Count);
    }
}
