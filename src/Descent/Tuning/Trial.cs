namespace Descent.Tuning;

/// <summary>The life of a trial: running (claimed by a worker, lease held) → complete, pruned or failed.</summary>
public enum TrialState
{
    /// <summary>Claimed by a worker, lease held.</summary>
    Running,
    /// <summary>Ran all its epochs; its value counts.</summary>
    Complete,
    /// <summary>Stopped early by the pruner; its last value counts for pruning, not for the best.</summary>
    Pruned,
    /// <summary>Threw, or its worker was lost; retried or replaced.</summary>
    Failed,
}

/// <summary>Whether the objective is a loss (minimize) or an accuracy (maximize).</summary>
public enum Direction
{
    /// <summary>Smaller is better (a loss).</summary>
    Minimize,
    /// <summary>Larger is better (an accuracy).</summary>
    Maximize,
}

/// <summary>One validation measurement at the end of an epoch (epochs count from 1).</summary>
public readonly record struct EpochMetric(int Epoch, double Value);

/// <summary>A trial as stored: its parameters, per-epoch metrics, state and lease.</summary>
public sealed class TrialRecord
{
    /// <summary>The storage's id of the trial.</summary>
    public long Id { get; set; }
    /// <summary>0, 1, 2, … within the study; unique, so no trial is run twice.</summary>
    public int Number { get; set; }
    /// <summary>Running, complete, pruned or failed.</summary>
    public TrialState State { get; set; }
    /// <summary>The hyperparameters (name → double, long or string).</summary>
    public Dictionary<string, object> Params { get; set; } = [];
    /// <summary>The objective: the last reported epoch value, or the runner's final value.</summary>
    public double? Value { get; set; }
    /// <summary>The validation metric after each epoch so far.</summary>
    public List<EpochMetric> Epochs { get; set; } = [];
    /// <summary>The coarse-to-fine round this trial was sampled in (0 = the full space).</summary>
    public int Round { get; set; }
    /// <summary>The failed trial this one retries (same parameters), if any.</summary>
    public int? RetryOf { get; set; }
    /// <summary>Panda: the trial this one continues from its checkpoint (possibly with a changed learning rate).</summary>
    public int? ResumedFrom { get; set; }
    /// <summary>The worker that runs or ran it.</summary>
    public string? Worker { get; set; }
    /// <summary>The host of that worker.</summary>
    public string? Host { get; set; }
    /// <summary>The OS process id of that worker.</summary>
    public int? Pid { get; set; }
    /// <summary>When a running trial's lease expires unless renewed.</summary>
    public DateTime? LeaseUntil { get; set; }
    /// <summary>When it was claimed (UTC).</summary>
    public DateTime Started { get; set; }
    /// <summary>When it ended (UTC), or null while running.</summary>
    public DateTime? Finished { get; set; }
    /// <summary>Why it failed or was stopped.</summary>
    public string? Note { get; set; }

    /// <summary>True once complete or pruned.</summary>
    public bool IsFinished => State is TrialState.Complete or TrialState.Pruned;

    /// <summary>The last value reported at or before <paramref name="epoch"/>, or null.</summary>
    public double? ValueAt(int epoch)
    {
        double? v = null;
        foreach (var m in Epochs) if (m.Epoch <= epoch) v = m.Value; else break;
        return v;
    }

    /// <summary>The hyperparameters with typed getters.</summary>
    public TrialParameters Parameters => new(Params);

    /// <summary>A deep copy (parameters and epochs copied).</summary>
    public TrialRecord Clone() => new TrialRecord
        {
        Id = Id, Number = Number, State = State, Params = new(Params), Value = Value, Epochs = [.. Epochs], Round = Round, RetryOf = RetryOf,
            ResumedFrom = ResumedFrom, Worker = Worker, Host = Host, Pid = Pid, LeaseUntil = LeaseUntil, Started = Started, Finished = Finished, Note = Note,
        };
}

/// <summary>A study as stored: the search space, the direction and the metric being optimized.</summary>
public sealed record StudyInfo(long Id, string Name, string SpaceJson, Direction Direction, string Metric, DateTime Created)
{
    /// <summary>The search space parsed from <see cref="SpaceJson"/>.</summary>
    public SearchSpace Space => SearchSpace.FromJson(SpaceJson, $"study '{Name}'");
}
