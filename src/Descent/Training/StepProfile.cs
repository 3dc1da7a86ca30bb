using System.Diagnostics;

namespace Descent.Training;

/// <summary>
/// Where a training step's time goes: the trainer and the replayed tape stamp the clock at each phase boundary
/// (the mini-batch gather, each recorded computation of forward, loss and backward, clipping, the optimizer),
/// and the profile keeps the durations of up to <see cref="Capacity"/> steps — without allocating, so profiling does not
/// disturb the step it measures (beyond a clock read per phase, ≈ 20 ns). <see cref="Summarize"/> gives percentiles.
/// </summary>
/// <remarks>Attach it with <see cref="Trainer.Profile"/>; <c>descent bench mlp --profile</c> prints it.</remarks>
public sealed class StepProfile : IStepTimer
{
    /// <summary>Most phases a step may have.</summary>
    public const int MaxPhases = 64;

    private readonly long[] _ticks;               // [step, phase] durations in Stopwatch ticks
    private readonly string[] _names = new string[MaxPhases];
    private int _phases = -1;                     // phases of the first recorded step (−1: none yet)
    private int _steps, _phase, _skipped;
    private bool _discarded;                      // the current step is not kept (see Discard)
    private long _last;

    /// <param name="capacity">Steps to keep (later steps are not recorded).</param>
    public StepProfile(int capacity = 8192)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a profile keeps at least one step.");
        Capacity = capacity;
        _ticks = new long[capacity * MaxPhases];
    }

    /// <summary>Steps the profile can keep.</summary>
    public int Capacity { get; }

    /// <summary>Steps recorded so far.</summary>
    public int Steps => _steps;

    /// <summary>Steps not recorded because their phases differed from the first step's (e.g. a step on the autograd path).</summary>
    public int Skipped => _skipped;

    /// <summary>Starts a step's clock.</summary>
    public void Begin()
    {
        _discarded = false;
        _phase = 0;
        _last = Stopwatch.GetTimestamp();
    }

    /// <summary>Ends phase <paramref name="name"/> (a string made once, not per step) and starts the next.</summary>
    public void Mark(string name)
    {
        long now = Stopwatch.GetTimestamp();
        if (_discarded) { _last = now; return; }
        if (_steps < Capacity && _phase < MaxPhases)
        {
            if (_phases < 0) _names[_phase] = name;
            else if (_phase >= _phases || !ReferenceEquals(_names[_phase], name) && _names[_phase] != name) _phase = MaxPhases;   // a different step shape: skip it
            if (_phase < MaxPhases) _ticks[_steps * MaxPhases + _phase] = now - _last;
        }
        if (_phase < MaxPhases) _phase++;
        _last = now;
    }

    /// <summary>Leaves the current step out of the profile (e.g. a step that records a tape rather than replaying one).</summary>
    public void Discard() => _discarded = true;

    /// <summary>Ends a step: keeps its durations if its phases are those of the first step.</summary>
    public void End()
    {
        if (_discarded) { _discarded = false; _phase = 0; return; }
        if (_steps >= Capacity || _phase == 0) return;
        if (_phases < 0) _phases = _phase;
        if (_phase == _phases) _steps++;
        else _skipped++;
        _phase = 0;
    }

    /// <summary>One phase's durations: 10th percentile, median, 90th percentile and mean (µs), and its share of the mean step.</summary>
    public sealed record Phase(string Name, double P10Us, double MedianUs, double P90Us, double MeanUs, double Share);

    /// <summary>Every phase in step order, then "step" (the whole step).</summary>
    public IReadOnlyList<Phase> Summarize()
    {
        if (_steps == 0) return [];
        double us = 1e6 / Stopwatch.Frequency;
        var rows = new List<Phase>();
        var column = new double[_steps];
        var totals = new double[_steps];
        for (int s = 0; s < _steps; s++)
            for (int p = 0; p < _phases; p++) totals[s] += _ticks[s * MaxPhases + p] * us;
        double meanStep = totals.Average();
        for (int p = 0; p < _phases; p++)
        {
            for (int s = 0; s < _steps; s++) column[s] = _ticks[s * MaxPhases + p] * us;
            rows.Add(Row(_names[p], column, meanStep));
        }
        rows.Add(Row("step", totals, meanStep));
        return rows;
    }

    private static Phase Row(string name, double[] values, double meanStep)
    {
        var sorted = values.Order().ToArray();
        double mean = values.Average();
        return new Phase(name, sorted[sorted.Length / 10], sorted[sorted.Length / 2], sorted[sorted.Length * 9 / 10], mean, meanStep > 0 ? mean / meanStep : 0);
    }
}
