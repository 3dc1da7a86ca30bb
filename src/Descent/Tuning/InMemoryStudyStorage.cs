namespace Descent.Tuning;

/// <summary>Studies in memory (tests, one-off searches): one lock makes every operation atomic across threads.</summary>
public sealed class InMemoryStudyStorage : IStudyStorage
{
    private readonly object _lock = new();
    private readonly List<StudyInfo> _studies = [];
    private readonly Dictionary<long, List<TrialRecord>> _trials = [];
    private long _nextTrialId = 1;

    /// <summary>The clock (tests move it forward to expire leases).</summary>
    public Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

    /// <inheritdoc/>
    public StudyInfo OpenStudy(string name, SearchSpace space, Direction direction, string metric)
    {
        lock (_lock)
        {
            if (_studies.FirstOrDefault(s => s.Name == name) is { } existing)
            {
                if (existing.Direction != direction)
                    throw new ArgumentException($"Study '{name}' exists with direction {existing.Direction}, not {direction}.");
                return existing;
            }
            var s = new StudyInfo(_studies.Count + 1, name, space.ToJson(), direction, metric, Clock());
            _studies.Add(s);
            _trials[s.Id] = [];
            return s;
        }
    }

    /// <inheritdoc/>
    public StudyInfo? FindStudy(string name) { lock (_lock) return _studies.FirstOrDefault(s => s.Name == name); }

    /// <inheritdoc/>
    public IReadOnlyList<StudyInfo> Studies() { lock (_lock) return [.. _studies]; }

    /// <inheritdoc/>
    public IReadOnlyList<TrialRecord> Trials(long studyId) { lock (_lock) return _trials[studyId].Select(t => t.Clone()).ToList(); }

    /// <summary>Adds a trial as is (tests: a trial left running by a killed worker).</summary>
    public TrialRecord Insert(long studyId, TrialRecord trial)
    {
        lock (_lock)
        {
            trial.Id = _nextTrialId++;
            _trials[studyId].Add(trial);
            return trial.Clone();
        }
    }

    /// <inheritdoc/>
    public TrialRecord? Claim(long studyId, ClaimRequest request)
    {
        lock (_lock)
        {
            var trials = _trials[studyId];
            var now = Clock();
            foreach (var t in TrialQueue.Stale(trials, now, TrialQueue.ProcessAlive).ToList())
            {
                t.State = TrialState.Failed; t.Finished = now; t.Note = "worker lost (lease expired or process gone)";
            }
            var snapshot = trials.Select(t => t.Clone()).ToList();
            if (TrialQueue.Next(snapshot, request) is not { } plan) return null;
            var trial = new TrialRecord
            {
                Id = _nextTrialId++, Number = trials.Count == 0 ? 0 : trials.Max(t => t.Number) + 1, State = TrialState.Running,
                Params = plan.Params, Round = plan.Round, RetryOf = plan.RetryOf, ResumedFrom = plan.ResumedFrom,
                Worker = request.Worker.Worker, Host = request.Worker.Host, Pid = request.Worker.Pid, LeaseUntil = now + request.Lease, Started = now,
            };
            trials.Add(trial);
            return trial.Clone();
        }
    }

    /// <inheritdoc/>
    public bool Heartbeat(long trialId, DateTime leaseUntil)
    {
        lock (_lock)
        {
            var t = Find(trialId);
            if (t.State != TrialState.Running) return false;
            t.LeaseUntil = leaseUntil;
            return true;
        }
    }

    /// <inheritdoc/>
    public void ReportEpoch(long trialId, EpochMetric metric)
    {
        lock (_lock)
        {
            var t = Find(trialId);
            t.Epochs.RemoveAll(m => m.Epoch == metric.Epoch);
            t.Epochs.Add(metric);
            t.Epochs.Sort((a, b) => a.Epoch.CompareTo(b.Epoch));
        }
    }

    /// <inheritdoc/>
    public bool Finish(long trialId, TrialState state, double? value, string? note)
    {
        lock (_lock)
        {
            var t = Find(trialId);
            if (t.State != TrialState.Running) return false;
            t.State = state; t.Value = value; t.Note = note; t.Finished = Clock(); t.LeaseUntil = null;
            return true;
        }
    }

    private TrialRecord Find(long id) =>
        _trials.Values.SelectMany(l => l).FirstOrDefault(t => t.Id == id) ?? throw new ArgumentException($"No trial with id {id}.");
}
