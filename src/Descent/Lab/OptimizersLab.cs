using Descent.Optim;
using Descent.Plotting;

namespace Descent.Lab;

/// <summary>One optimizer's run on one race.</summary>
/// <param name="Race">Race name.</param>
/// <param name="Optimizer">Family name (SGD, Momentum, …).</param>
/// <param name="Spec">The text form it ran with (as accepted by --optimizer).</param>
/// <param name="Settings">The same in the notes' symbols (α, β).</param>
/// <param name="Iterations">Steps taken.</param>
/// <param name="FinalX">Where it ended.</param>
/// <param name="FinalF">f there.</param>
/// <param name="StepsToGoal">First step that met the race's goal (null if never).</param>
/// <param name="Floor">Mean of f − f* over the last quarter of the steps (the neighbourhood it settles in); for the saddle, mean f.</param>
/// <param name="Diverged">Whether the iterates blew up.</param>
internal sealed record OptimizerRun(string Race, string Optimizer, string Spec, string Settings, int Iterations, double[] FinalX, double FinalF,
    int? StepsToGoal, double Floor, bool Diverged)
{
    /// <summary>Every iterate.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double[]> Path { get; init; } = [];

    /// <summary>f at every iterate.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double> Values { get; init; } = [];
}

/// <summary>
/// One race: a function, a start, a budget and the goal. With a minimum f*, the goal is f − f* ≤ tolerance·(f(x₀) − f*);
/// without one (the saddle), it is f ≤ −f(x₀) (the iterate has left the saddle downhill). <paramref name="Noise"/> replaces
/// the exact gradient by mini-batch gradients; <paramref name="SettingsFrom"/> reuses another race's chosen settings
/// instead of searching the grid.
/// </summary>
internal sealed record Race(string Name, string Title, string Lesson, Objective Function, double[] Start, double? Minimum, int Iterations,
    double Tolerance = 1e-4, MiniBatchGradient? Noise = null, string? SettingsFrom = null);

/// <summary>What <c>descent lab optimizers</c> measured: the chosen run of every optimizer in every race, and the search.</summary>
internal sealed record OptimizersResult(IReadOnlyList<OptimizerRun> Runs, int SettingsTried, IReadOnlyList<string> Lessons,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// SGD, Momentum, Nesterov, Adagrad, RMSprop and Adam (the library's optimizers, float64) racing on the notes' 2-D
/// functions: each step sets the parameter's gradient to ∇f(x) (or a mini-batch estimate) and calls
/// <see cref="IOptimizer.Step"/>. <b>One rule picks every setting:</b> each optimizer runs every setting of its grid
/// (<see cref="OptimizerFamily"/>) for the race's budget, and keeps the one with the lowest mean f − f* over the last
/// quarter of the budget (diverged runs are out). The saddle has no minimum, so it reuses the settings won on the
/// elongated bowl, whose stable direction has the same curvature (2).
/// </summary>
internal static class OptimizersLab
{
    /// <summary>The default races.</summary>
    public static IReadOnlyList<Race> DefaultRaces(ulong seed = 0) =>
    [
        new("elongated", "the elongated bowl 0.1x₁² + x₂²",
            "Momentum damps SGD's zig-zag across the steep x₂ direction and keeps its speed along the shallow x₁ direction: fewer steps than SGD at each one's best setting.",
            Objective.Elongated, [-8, 5], 0, 200),
        new("saddle", "the saddle x₂² − x₁²",
            "Near a saddle ∇f ≈ 0: SGD's step α∇f is tiny, so it lingers while |x₁| grows by only (1 + 2α) a step; Adam, RMSprop and Adagrad divide by the gradient's size, take steps of about α at once and leave in a few steps.",
            Objective.Saddle, [1e-6, 4], null, 60, SettingsFrom: "elongated"),
        new("noisy", "the elongated bowl with mini-batch gradients (8 of 256 samples)",
            "With noisy gradients a constant α does not converge: each optimizer hovers in a neighbourhood of the minimum whose size grows with α, so the best α is smaller than on the exact bowl (or decay it: see the schedules).",
            Objective.Elongated, [-8, 5], 0, 300, 1e-2, new MiniBatchGradient(256, 8, seed)),
        new("rosenbrock", "Rosenbrock's curved valley (1 − x₁)² + 100(x₂ − x₁²)²",
            "The valley's walls are about 1000× steeper than its floor, so α must be small for the walls: SGD then crawls along the floor (a shallow line on the log plot), while momentum and Adam build speed along it and end many decades lower; Adagrad and RMSprop stall on the floor.",
            Objective.Rosenbrock, [-1.5, 2], 0, 3000),
    ];

    /// <summary>Runs one optimizer (text form) on one race.</summary>
    public static OptimizerRun Run(Race race, string optimizer, string family = "")
    {
        var f = race.Function;
        var spec = OptimizerSpec.Parse(optimizer);
        var x = Tensor.From(race.Start, race.Start.Length);   // [2]
        var opt = spec.Create([x]);
        var gradient = race.Noise?.Stream() ?? f.Gradient;
        var path = new List<double[]> { (double[])race.Start.Clone() };
        var values = new List<double> { f.F(race.Start) };
        double fStar = race.Minimum ?? 0, f0 = values[0];
        double goal = race.Minimum is { } m ? m + race.Tolerance * (f0 - m) : -f0;
        int? reached = null;
        bool diverged = false;
        int t = 0;
        for (; t < race.Iterations; t++)
        {
            var cur = x.ToArray();
            x.Grad = Tensor.From(gradient(cur), cur.Length);
            opt.Step();
            var next = x.ToArray();
            double fx = f.F(next);
            path.Add(next);
            values.Add(fx);
            if (reached is null && fx <= goal) reached = t + 1;
            if (race.Minimum is null && reached is not null) { t++; break; }      // the saddle's goal is to leave: done
            if (!next.All(double.IsFinite) || !double.IsFinite(fx) || GradientDescent.Norm(next) > 1e6) { diverged = true; t++; break; }
        }
        var tail = values.Skip(values.Count - Math.Max(1, values.Count / 4)).Select(v => v - fStar).ToList();
        double floor = diverged ? double.PositiveInfinity : tail.Average();
        return new OptimizerRun(race.Name, family, optimizer, OptimizerFamily.Settings(optimizer), t, path[^1], values[^1], reached, floor, diverged)
        { Path = path, Values = values };
    }

    /// <summary>The best run of one optimizer on one race under the stated rule (lowest floor; diverged runs last).</summary>
    public static OptimizerRun Best(Race race, OptimizerFamily family) =>
        family.Specs.Select(s => Run(race, s, family.Name)).OrderBy(r => r.Diverged).ThenBy(r => r.Floor).First();

    /// <summary>Runs every race and draws, per race, the paths as small multiples, the loss curves, and (on the bowl) an overlay.</summary>
    public static OptimizersResult Run(IReadOnlyList<Race> races, IReadOnlyList<OptimizerFamily>? families = null)
    {
        families ??= OptimizerFamily.All;
        var chosen = new Dictionary<string, List<OptimizerRun>>();
        var figures = new List<Figure>();
        int tried = 0;
        foreach (var race in races)
        {
            List<OptimizerRun> rs;
            if (race.SettingsFrom is { } from && chosen.TryGetValue(from, out var earlier))
                rs = earlier.Select(e => Run(race, e.Spec, e.Optimizer)).ToList();
            else
            {
                rs = families.Select(fam => Best(race, fam)).ToList();
                tried += families.Sum(fam => fam.Specs.Count);
            }
            chosen[race.Name] = rs;
            figures.AddRange(OptimizerFigures.Race(race, rs, families));
        }
        var lessons = races.Select(r => $"{r.Name}: {r.Lesson}").ToList();
        return new OptimizersResult(chosen.Values.SelectMany(r => r).ToList(), tried, lessons, figures);
    }
}
