namespace Descent.Schedules;

/// <summary>
/// A learning-rate schedule as a pure function (optax style): the learning rate for a step or epoch
/// index t (0-based), from the base rate α₀. No state, so a resumed run needs only t.
/// </summary>
public interface ISchedule
{
    /// <summary>α(t) given α₀.</summary>
    double LearningRate(double baseRate, long t);

    /// <summary>Whether t counts optimizer steps (true) or epochs (false).</summary>
    bool PerStep { get; }
}
