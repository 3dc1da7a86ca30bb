namespace Descent.Tuning;

/// <summary>How a study searches.</summary>
public sealed record StudyOptions
{
    /// <summary>How many trials the study should end with (complete or pruned; failed ones are retried or replaced).</summary>
    public int Trials { get; init; } = 20;
    /// <summary>Caviar: trials run at once in this process, sharing the cores.</summary>
    public int Parallel { get; init; } = 1;
    /// <summary>Coarse-to-fine rounds: the trials are split into this many rounds; each narrows the space around the best so far.</summary>
    public int Rounds { get; init; } = 1;
    /// <summary>How the next trial's parameters are proposed (default random).</summary>
    public ISampler Sampler { get; init; } = new RandomSampler();
    /// <summary>How clearly worse trials are stopped (default: never).</summary>
    public IPruner Pruner { get; init; } = new NoPruner();
    /// <summary>The study's seed: with it, the trials' parameters and seeds are reproducible.</summary>
    public ulong Seed { get; init; }
    /// <summary>A running trial whose lease is not renewed within this time is declared lost, marked failed and retried.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How often a failed trial's parameters are tried again.</summary>
    public int MaxRetries { get; init; } = 1;
    /// <summary>Folder for the trials' checkpoints (Panda resumes from them); null: no checkpoints.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>Fraction of the best trials coarse to fine narrows around.</summary>
    public double TopFraction { get; init; } = 0.25;
    /// <summary>Cores to share among the parallel trials.</summary>
    public int Cores { get; init; } = Environment.ProcessorCount;
}

/// <summary>What a study reports while it runs (to a live view).</summary>
public enum TrialEventKind
{
    /// <summary>A worker claimed the trial.</summary>
    Started,
    /// <summary>The trial reported an epoch's metric.</summary>
    Epoch,
    /// <summary>The trial ended (complete, pruned or failed).</summary>
    Finished,
}

/// <summary>One thing a study reports while it runs.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Trial">The trial it happened to.</param>
/// <param name="Metric">The epoch's metric, for <see cref="TrialEventKind.Epoch"/>.</param>
/// <inheritdoc/>
public sealed record TrialEvent(TrialEventKind Kind, TrialRecord Trial, EpochMetric? Metric = null);

/// <summary>
/// A hyperparameter search: workers claim trials from the storage (atomically, so several threads and processes can
/// share one study), run them with an <see cref="ITrialRunner"/>, record per-epoch metrics, prune the clearly worse,
/// and finish each trial complete, pruned or failed.
/// </summary>
public sealed class Study
{
    private readonly IStudyStorage _storage;
    private int _workerCount;

    /// <summary>A study stored in <paramref name="storage"/> as <paramref name="info"/>, run with <paramref name="options"/>.</summary>
    public Study(IStudyStorage storage, StudyInfo info, StudyOptions options)
    {
        if (options.Trials < 1) throw new ArgumentException($"A study needs at least 1 trial, got {options.Trials}.");
        if (options.Parallel < 1) throw new ArgumentException($"--parallel must be ≥ 1, got {options.Parallel}.");
        if (options.Rounds < 1) throw new ArgumentException($"--rounds must be ≥ 1, got {options.Rounds}.");
        _storage = storage; Info = info; Options = options; Space = info.Space;
    }

    /// <summary>Opens (or creates) the study named <paramref name="name"/> for the runner's metric and direction.</summary>
    public static Study Open(IStudyStorage storage, string name, SearchSpace space, ITrialRunner runner, StudyOptions options) =>
        new(storage, storage.OpenStudy(name, space, runner.Direction, runner.Metric), options);

    /// <summary>The stored study: name, space, direction and metric.</summary>
    public StudyInfo Info { get; }
    /// <summary>How the study searches.</summary>
    public StudyOptions Options { get; }
    /// <summary>The full search space (round 0).</summary>
    public SearchSpace Space { get; }

    /// <summary>Every trial so far, by number.</summary>
    public IReadOnlyList<TrialRecord> Trials() => _storage.Trials(Info.Id);

    /// <summary>The best complete trial, or null.</summary>
    public TrialRecord? Best() => SamplingContext.Rank(Trials(), Info.Direction).FirstOrDefault();

    /// <summary>Runs trials on <c>Parallel</c> threads until the study has <c>Trials</c> of them (or cancellation).</summary>
    public void Optimize(ITrialRunner runner, IProgress<TrialEvent>? progress = null, CancellationToken cancellation = default)
    {
        int k = Options.Parallel;
        int threads = Math.Max(1, Options.Cores / k);
        Exception? error = null;
        var workers = Enumerable.Range(0, k).Select(_ => new Thread(() =>
        {
            try { WorkLoop(runner, threads, progress, cancellation); }
            catch (Exception e) { Interlocked.CompareExchange(ref error, e, null); }
        }) { IsBackground = true }).ToList();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        if (error != null) throw new InvalidOperationException($"A worker of study '{Info.Name}' stopped: {error.Message}", error);
    }

    private void WorkLoop(ITrialRunner runner, int threads, IProgress<TrialEvent>? progress, CancellationToken cancellation)
    {
        var worker = WorkerInfo.ForThisProcess($"w{Interlocked.Increment(ref _workerCount)}-{Guid.NewGuid():N}");
        while (!cancellation.IsCancellationRequested)
        {
            var trial = _storage.Claim(Info.Id, new ClaimRequest(worker, Options.Trials, Options.Lease, Options.MaxRetries, Plan));
            if (trial == null) return;
            Run(runner, trial, threads, progress, cancellation);
        }
    }

    /// <summary>The plan of a fresh trial: its round (coarse to fine), the round's space, and the sampler's draw.</summary>
    private TrialPlan? Plan(IReadOnlyList<TrialRecord> history)
    {
        int fresh = history.Count(t => t.RetryOf == null && t.ResumedFrom == null);
        int round = CoarseToFine.RoundOf(fresh, Options.Trials, Options.Rounds);
        var space = CoarseToFine.SpaceForRound(Space, history, Info.Direction, round, Options.TopFraction);
        int index = history.Count(t => t.RetryOf == null && t.ResumedFrom == null && t.Round == round);
        var rng = new Rng(Options.Seed, 0x7475_6e65UL + (ulong)history.Count);
        var p = Options.Sampler.Sample(new SamplingContext(space, history, Info.Direction, round, index, rng));
        return new TrialPlan(p, round);
    }

    /// <summary>Panda: runs one trial with the given parameters (optionally continuing trial <paramref name="resumeFrom"/>'s checkpoint).</summary>
    public TrialRecord Babysit(ITrialRunner runner, Dictionary<string, object> parameters, int? resumeFrom = null,
        IProgress<TrialEvent>? progress = null, CancellationToken cancellation = default)
    {
        var worker = WorkerInfo.ForThisProcess($"panda-{Guid.NewGuid():N}");
        var trial = _storage.Claim(Info.Id, new ClaimRequest(worker, int.MaxValue, Options.Lease, -1,
            _ => new TrialPlan(parameters, 0, ResumedFrom: resumeFrom))) ?? throw new InvalidOperationException("Could not start the trial.");
        return Run(runner, trial, Options.Cores, progress, cancellation);
    }

    private TrialRecord Run(ITrialRunner runner, TrialRecord trial, int threads, IProgress<TrialEvent>? progress, CancellationToken cancellation)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var lease = Options.Lease;
        using var heartbeat = new Timer(_ =>
        {
            try { if (!_storage.Heartbeat(trial.Id, DateTime.UtcNow + lease)) lost.Cancel(); }
            catch (Exception) { /* a missed beat is retried at the next tick */ }
        }, null, lease / 3, lease / 3);
        progress?.Report(new TrialEvent(TrialEventKind.Started, trial.Clone()));

        bool pruned = false;
        TrialDecision Report(int epoch, double value)
        {
            var m = new EpochMetric(epoch, value);
            _storage.ReportEpoch(trial.Id, m);
            trial.Epochs.RemoveAll(e => e.Epoch == epoch);
            trial.Epochs.Add(m);
            progress?.Report(new TrialEvent(TrialEventKind.Epoch, trial.Clone(), m));
            if (Options.Pruner is NoPruner) return TrialDecision.Continue;
            var all = _storage.Trials(Info.Id);
            if (Options.Pruner.ShouldPrune(trial, all, Info.Direction)) { pruned = true; return TrialDecision.Prune; }
            return TrialDecision.Continue;
        }

        string? Ckpt(int number) => Options.CheckpointDirectory == null ? null : Path.Combine(Options.CheckpointDirectory, $"trial-{number}.ckpt");
        int startEpoch = 1;
        string? resumePath = null;
        if (trial.ResumedFrom is { } from)
        {
            var prev = _storage.Trials(Info.Id).FirstOrDefault(t => t.Number == from);
            startEpoch = (prev?.Epochs.Count > 0 ? prev.Epochs[^1].Epoch : 0) + 1;
            resumePath = Ckpt(from);
        }
        var seed = new Rng(Options.Seed, (ulong)trial.Number).NextUInt64();
        var context = new TrialContext(trial.Number, trial.Parameters, seed, threads, Report, lost.Token, Ckpt(trial.Number), resumePath, startEpoch);
        TrialState state; double? value; string? note = null;
        try
        {
            double v = runner.Run(context);
            value = double.IsFinite(v) ? v : trial.Epochs.Count > 0 ? trial.Epochs[^1].Value : v;
            state = pruned ? TrialState.Pruned : TrialState.Complete;
            if (cancellation.IsCancellationRequested && !pruned) { state = TrialState.Pruned; note = "stopped by the user"; }
            if (!double.IsFinite(v)) { state = TrialState.Pruned; note = $"objective is {v}"; }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            state = TrialState.Failed; value = null; note = $"{e.GetType().Name}: {e.Message}";
        }
        heartbeat.Change(Timeout.Infinite, Timeout.Infinite);
        _storage.Finish(trial.Id, state, value, note);
        var done = _storage.Trials(Info.Id).First(t => t.Id == trial.Id);
        progress?.Report(new TrialEvent(TrialEventKind.Finished, done));
        return done;
    }
}
