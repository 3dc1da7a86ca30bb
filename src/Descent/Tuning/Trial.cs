namespace Descent.Tuning;

/// <summary>The life of a trial: running (claimed by a worker, lease held) → complete, pruned or failed.</summary>
public enum TrialState { Running, Complete, Pruned, Failed }

/// <summary>Whether the objective is a loss (minimize) or an accuracy (maximize).</summary>
public enum Direction { Minimize, Maximize }

/// <summary>One validation measurement at the end of an epoch (epochs count from 1).</summary>
public readonly record struct EpochMetric(int Epoch, double Value);

/// <summary>A trial as stored: its parameters, per-epoch metrics, state and lease.</summary>
public sealed class TrialRecord
{
    public long Id { get; set; }
    /// <summary>0, 1, 2, … within the study; unique, so no trial is run twice.</summary>
    public int Number { get; set; }
    public TrialState State { get; set; }
    public Dictionary<string, object> Params { get; set; } = [];
    /// <summary>The objective: the last reported epoch value, or the runner's final value.</summary>
    public double? Value { get; set; }
    public List<EpochMetric> Epochs { get; set; } = [];
    /// <summary>The coarse-to-fine round this trial was sampled in (0 = the full space).</summary>
    public int Round { get; set; }
    /// <summary>The failed trial this one retries (same parameters), if any.</summary>
    public int? RetryOf { get; set; }
    /// <summary>Panda: the trial this one continues from its checkpoint (possibly with a changed learning rate).</summary>
    public int? ResumedFrom { get; set; }
    public string? Worker { get; set; }
    public string? Host { get; set; }
    public int? Pid { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public DateTime Started { get; set; }
    public DateTime? Finished { get; set; }
    /// <summary>Why it failed or was stopped.</summary>
    public string? Note { get; set; }

    public bool IsFinished => State is TrialState.Complete or TrialState.Pruned;

    /// <summary>The last value reported at or before <paramref name="epoch"/>, or null.</summary>
    public double? ValueAt(int epoch)
    {
        double? v = null;
        foreach (var m in Epochs) if (m.Epoch <= epoch) v = m.Value; else break;
        return v;
    }

    public TrialParameters Parameters => new(Params);

    public TrialRecord Clone() => new TrialRecord
        {
        Id = Id, Number = Number, State = State, Params = new(Params), Value = Value, Epochs = [.. Epochs], Round = Round, RetryOf = RetryOf,
            ResumedFrom = ResumedFrom, Worker = Worker, Host = Host, Pid = Pid, LeaseUntil = LeaseUntil, Started = Started, Finished = Finished, Note = Note,
        };
}

/// <summary>A study as stored: the search space, the direction and the metric being optimized.</summary>
public sealed record StudyInfo(long Id, string Name, string SpaceJson, Direction Direction, string Metric, DateTime Created)
{
    public SearchSpace Space => SearchSpace.FromJson(SpaceJson, $"study '{Name}'");
}
