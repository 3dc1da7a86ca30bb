using System.Text.Json;

namespace Descent.Tuning;

/// <summary>
/// Built-in objectives with a known optimum, so a search can be run and tested without training a network.
/// Each simulates a training curve: the validation loss after epoch e is L_e = f + (L_{e−1} − f)·e^{−1/2}
/// (starting from L_0 = f + 2) plus Gaussian noise σ, where f(θ) is the objective's final loss; so early epochs
/// rank trials like the final one does, which is what pruning relies on. Checkpoints hold (epoch, L), so Panda can
/// resume a trial with a changed learning rate: the curve continues from L towards the new f.
/// </summary>
public sealed class SyntheticObjective : ITrialRunner
{
    private readonly Func<TrialParameters, double> _final;

    private SyntheticObjective(string name, Func<TrialParameters, double> final, SearchSpace space, double optimum)
    {
        Name = name; _final = final; DefaultSpace = space; Optimum = optimum;
    }

    /// <inheritdoc/>
    public string Name { get; }
    /// <inheritdoc/>
    public string Metric => "val_loss";
    /// <inheritdoc/>
    public Direction Direction => Direction.Minimize;
    /// <summary>The space the objective is meant to be searched in.</summary>
    public SearchSpace DefaultSpace { get; }
    /// <summary>The smallest final loss f(θ*).</summary>
    public double Optimum { get; }
    /// <summary>Simulated epochs per trial.</summary>
    public int Epochs { get; init; } = 9;
    /// <summary>σ of the Gaussian noise on each epoch's loss.</summary>
    public double Noise { get; init; } = 0.01;
    /// <summary>Wall time per simulated epoch (a live view has something to show; concurrent workers interleave).</summary>
    public TimeSpan EpochDelay { get; init; } = TimeSpan.Zero;

    /// <summary>The names <c>--objective</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["quadratic", "branin"];

    /// <summary>The objective called <paramref name="name"/>.</summary>
    public static SyntheticObjective Create(string name, int epochs = 9, TimeSpan epochDelay = default, double noise = 0.01) => name switch
    {
        "quadratic" => Quadratic().With(epochs, epochDelay, noise),
        "branin" => Branin().With(epochs, epochDelay, noise),
        _ => throw new ArgumentException($"Unknown objective '{name}' (expected one of: {string.Join(", ", Names)})."),
    };

    /// <summary>
    /// A noisy quadratic in log α — the shape of a real learning-rate sweep: f = 0.2 + (log₁₀ α + 2.5)²
    /// + 0.3·(log₁₀(1 − β) + 1.5)² + 0.02·(log₂ hidden − 8)² + (batch-size = 256 ? 0.05 : 0). Best at α ≈ 3.2e-3,
    /// β ≈ 0.968, hidden = 256, batch size ≠ 256: f* = 0.2.
    /// </summary>
    public static SyntheticObjective Quadratic() => new("quadratic", p =>
        0.2 + Sq(Math.Log10(p.GetDouble("lr", 3.16e-3)) + 2.5)
            + 0.3 * Sq(Math.Log10(1 - p.GetDouble("momentum", 1 - 0.0316)) + 1.5)
            + 0.02 * Sq(Math.Log2(p.GetDouble("hidden", 256)) - 8)
            + (p.Has("batch-size") && p.GetDouble("batch-size") == 256 ? 0.05 : 0),
        new SearchSpace()
            .Add("lr", new LogUniformDistribution(1e-5, 1))
            .Add("momentum", new OneMinusLogUniformDistribution(0.5, 0.999))
            .Add("hidden", new IntDistribution(16, 1024, log: true))
            .Add("batch-size", new CategoricalDistribution([32.0, 64.0, 128.0, 256.0])),
        0.2);

    /// <summary>Branin–Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]: three global minima f* = 0.397887 (at (−π, 12.275), (π, 2.275), (9.42478, 2.475)).</summary>
    public static SyntheticObjective Branin() => new("branin", p =>
        {
            double x1 = p.GetDouble("x1"), x2 = p.GetDouble("x2");
            double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
            return Sq(x2 - b * x1 * x1 + c * x1 - 6) + 10 * (1 - t) * Math.Cos(x1) + 10;
        },
        new SearchSpace().Add("x1", new UniformDistribution(-5, 10)).Add("x2", new UniformDistribution(0, 15)),
        0.397887);

    /// <summary>Every parameter must be one of <see cref="DefaultSpace"/>'s, and f must be defined at the space's centre.</summary>
    public void CheckSpace(SearchSpace space)
    {
        foreach (var name in space.Names)
            if (!DefaultSpace.Contains(name))
                throw new ArgumentException($"search space: '{name}' is not a parameter of the {Name} objective; use {string.Join(", ", DefaultSpace.Names)}.");
        try { _final(new TrialParameters(space.Parameters.ToDictionary(p => p.Key, p => p.Value.FromUnit(0.5)))); }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            throw new ArgumentException($"search space for the {Name} objective: {e.Message}", e);
        }
    }

    /// <summary>f(θ) without noise.</summary>
    public double FinalLoss(TrialParameters p) => _final(p);

    /// <inheritdoc/>
    public double Run(TrialContext context)
    {
        double f = _final(context.Parameters);
        double loss = f + 2;
        if (context.ResumeFrom is { } path && File.Exists(path))
            loss = JsonSerializer.Deserialize<Checkpoint>(File.ReadAllText(path))!.Loss;
        var rng = new Rng(context.Seed, 17);
        double reported = double.NaN;
        for (int e = context.StartEpoch; e < context.StartEpoch + Epochs; e++)
        {
            if (EpochDelay > TimeSpan.Zero && context.Cancellation.WaitHandle.WaitOne(EpochDelay)) break;
            loss = f + (loss - f) * Math.Exp(-0.5);
            reported = loss + Noise * rng.NextNormal();
            if (context.CheckpointPath is { } ckpt) Save(ckpt, new Checkpoint(e, loss));
            if (context.Report(e, reported) == TrialDecision.Prune) break;
        }
        return reported;
    }

    private sealed record Checkpoint(int Epoch, double Loss);

    private static void Save(string path, Checkpoint c)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(c));
        File.Move(tmp, path, overwrite: true);
    }

    private static double Sq(double x) => x * x;

    private SyntheticObjective With(int epochs, TimeSpan delay, double noise) =>
        new(Name, _final, DefaultSpace, Optimum) { Epochs = epochs, EpochDelay = delay, Noise = noise };
}
