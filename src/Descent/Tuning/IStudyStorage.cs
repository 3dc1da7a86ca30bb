namespace Descent.Tuning;

/// <summary>Who runs a trial: a worker name (unique per thread), the host and the OS process id (to detect a killed worker).</summary>
public sealed record WorkerInfo(string Worker, string Host, int Pid)
{
    /// <summary>This process on this host, as worker <c>pid-suffix</c>.</summary>
    public static WorkerInfo ForThisProcess(string suffix) =>
        new($"{Environment.MachineName}:{Environment.ProcessId}:{suffix}", Environment.MachineName, Environment.ProcessId);
}

/// <summary>A new trial to start: its parameters, its coarse-to-fine round, and what it retries or resumes.</summary>
public sealed record TrialPlan(Dictionary<string, object> Params, int Round = 0, int? RetryOf = null, int? ResumedFrom = null);

/// <summary>What a worker asks for when it claims the next trial.</summary>
/// <param name="Worker">Who claims.</param>
/// <param name="Lease">How long the claim holds without a heartbeat.</param>
/// <param name="MaxRetries">How often a failed trial's parameters are tried again.</param>
/// <param name="Target">How many trials the study should have (running, complete or pruned; failed ones don't count).</param>
/// <param name="Sample">Draws the parameters of a new trial from the history; null means no more work.</param>
public sealed record ClaimRequest(WorkerInfo Worker, int Target, TimeSpan Lease, int MaxRetries, Func<IReadOnlyList<TrialRecord>, TrialPlan?> Sample);

/// <summary>
/// Where studies live. Implementations must make <see cref="Claim"/> atomic: the expiry of stale leases, the
/// count against the target and the insertion of the new trial happen in one transaction, so concurrent workers
/// (threads or processes) never run the same trial and never overshoot the target.
/// </summary>
public interface IStudyStorage
{
    /// <summary>Creates the study, or returns the stored one (whose space and direction win; a different direction is an error).</summary>
    StudyInfo OpenStudy(string name, SearchSpace space, Direction direction, string metric);

    /// <summary>The study named <paramref name="name"/>, or null.</summary>
    StudyInfo? FindStudy(string name);

    /// <summary>Every stored study.</summary>
    IReadOnlyList<StudyInfo> Studies();

    /// <summary>All trials of a study, by number, with parameters and per-epoch metrics.</summary>
    IReadOnlyList<TrialRecord> Trials(long studyId);

    /// <summary>Atomically: marks stale running trials failed, then starts the next trial (a retry or a new sample) or returns null.</summary>
    TrialRecord? Claim(long studyId, ClaimRequest request);

    /// <summary>Extends a running trial's lease; false if the trial is no longer running (it was declared lost).</summary>
    bool Heartbeat(long trialId, DateTime leaseUntil);

    /// <summary>Records a trial's validation metric at the end of an epoch.</summary>
    void ReportEpoch(long trialId, EpochMetric metric);

    /// <summary>Ends a running trial; false (and no change) if it was no longer running (declared lost meanwhile).</summary>
    bool Finish(long trialId, TrialState state, double? value, string? note);
}

/// <summary>The claim decision shared by every storage (pure: the storage supplies the trials, the clock and a liveness check).</summary>
public static class TrialQueue
{
    /// <summary>Running trials whose lease expired, or whose process on this host is gone.</summary>
    public static IEnumerable<TrialRecord> Stale(IEnumerable<TrialRecord> trials, DateTime now, Func<int, bool> processAlive) =>
        trials.Where(t => t.State == TrialState.Running &&
            (t.LeaseUntil is { } until && until < now
             || t.Host == Environment.MachineName && t.Pid is { } pid && !processAlive(pid)));

    /// <summary>
    /// The next trial: a retry of a failed trial (same parameters) that has retries left, else a new sample,
    /// unless the study already has <c>Target</c> trials (running + complete + pruned). <paramref name="trials"/> must
    /// already have stale trials marked failed.
    /// </summary>
    public static TrialPlan? Next(IReadOnlyList<TrialRecord> trials, ClaimRequest request)
    {
        int active = trials.Count(t => t.State != TrialState.Failed);
        if (active >= request.Target) return null;
        int failed = trials.Count(t => t.State == TrialState.Failed);
        if (failed >= Math.Max(10L, 2L * request.Target)) return null; // the objective keeps failing: give up
        var retried = trials.Where(t => t.RetryOf != null).Select(t => t.RetryOf!.Value).ToHashSet();
        foreach (var f in trials.Where(t => t.State == TrialState.Failed && !retried.Contains(t.Number)))
        {
            if (Attempts(trials, f) < request.MaxRetries)   // f was attempt Attempts + 1 of at most 1 + MaxRetries
                return new TrialPlan(new(f.Params), f.Round, RetryOf: f.Number, ResumedFrom: f.ResumedFrom);
        }
        return request.Sample(trials);
    }

    /// <summary>How many times a trial's parameters had been retried before it (0 for an original): it is attempt n + 1.</summary>
    private static int Attempts(IReadOnlyList<TrialRecord> trials, TrialRecord t)
    {
        int n = 0;
        while (t.RetryOf is { } prev && trials.FirstOrDefault(x => x.Number == prev) is { } p) { n++; t = p; }
        return n;
    }

    /// <summary>Whether a process with this id is alive on this machine.</summary>
    public static bool ProcessAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
