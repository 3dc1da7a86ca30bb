using Descent.Lab;

namespace Descent.Server.Lab;

/// <summary>A 2-D function sampled on a grid for the heat map behind a descent path: z[j·nx + i] = f(x₀ + i·dx, y₀ + j·dy).</summary>
internal sealed record FunctionGrid(int Nx, int Ny, double X0, double X1, double Y0, double Y1, double[] Z);

/// <summary>The drawing of a function: the window, the grid (2-D) or the curve (1-D), and its formula.</summary>
internal sealed record FunctionView(string Name, string Formula, int Dimension, double[] Window, FunctionGrid? Grid, double[][]? Curve);

/// <summary>One descent path as the page animates it: every iterate, f at each, and how it ended.</summary>
internal sealed record PathView(string Label, string Optimizer, double[][] Path, double[] Values, string Status, int Iterations, double[] FinalX, double FinalF);

/// <summary>What the gradient-descent and optimizer pages draw.</summary>
internal sealed record DescentView(FunctionView Function, IReadOnlyList<PathView> Paths);

/// <summary>
/// The lab's function experiments, run on the library's own code: plain gradient descent (<see cref="GradientDescent"/>)
/// and the optimizers racing on the notes' functions (<see cref="OptimizersLab"/>). Both answer in well under 100 ms.
/// </summary>
internal static class FunctionExperiments
{
    /// <summary>The functions of the gradient-descent page and where descent starts on each.</summary>
    public static IReadOnlyDictionary<string, (Objective F, double[] Start)> Functions { get; } = new Dictionary<string, (Objective, double[])>
    {
        ["quadratic"] = (Objective.Quadratic1D, [20]),
        ["quartic"] = (Objective.Quartic1D, [-20]),
        ["bowl"] = (Objective.ShiftedBowl, [-9, 6]),
        ["elongated"] = (Objective.Elongated, [-8, 5]),
        ["saddle"] = (Objective.Saddle, [0.01, 4]),
        ["rosenbrock"] = (Objective.Rosenbrock, [-1.5, 2]),
    };

    /// <summary>The optimizers of the race page: name → the text form for a learning rate α and a coefficient β (β's meaning per optimizer).</summary>
    public static IReadOnlyDictionary<string, Func<double, double, string>> Optimizers { get; } = new Dictionary<string, Func<double, double, string>>
    {
        ["sgd"] = (a, _) => $"sgd:lr={G(a)}",
        ["momentum"] = (a, b) => $"momentum:lr={G(a)},momentum={G(b)}",
        ["nesterov"] = (a, b) => $"sgd:lr={G(a)},momentum={G(b)},nesterov=true",
        ["adagrad"] = (a, _) => $"adagrad:lr={G(a)}",
        ["rmsprop"] = (a, b) => $"rmsprop:lr={G(a)},alpha={G(b)}",
        ["adam"] = (a, b) => $"adam:lr={G(a)},beta1={G(b)}",
    };

    /// <summary>x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾ − γ∇f(x⁽ᵗ⁾) on one function from its start (or <paramref name="start"/>).</summary>
    public static DescentView Descend(string function, double learningRate, int steps, double[]? start)
    {
        var (f, defaultStart) = Functions[function];
        var x0 = start ?? defaultStart;
        if (x0.Length != f.Dimension) throw new ArgumentException($"'start' needs {f.Dimension} coordinate{(f.Dimension == 1 ? "" : "s")} for {function}, got {x0.Length}.");
        var run = GradientDescent.Run(f, x0, learningRate, steps);
        return new DescentView(View(f), [new PathView($"γ = {G(learningRate)}", "gradient descent", [.. run.Path], [.. run.Values], run.StatusText, run.Iterations, run.FinalX, run.FinalF)]);
    }

    /// <summary>One optimizer on one of the default races, beside plain SGD at the same α for comparison.</summary>
    public static DescentView Race(string race, string optimizer, double learningRate, double beta, ulong seed)
    {
        var r = OptimizersLab.DefaultRaces(seed).First(x => x.Name == race);
        var paths = new List<PathView>();
        foreach (var name in optimizer == "sgd" ? ["sgd"] : new[] { "sgd", optimizer })
        {
            string spec = Optimizers[name](learningRate, beta);
            var run = OptimizersLab.Run(r, spec, name);
            string status = run.Diverged ? "diverged" : run.StepsToGoal is { } s ? $"goal reached at step {s}" : "goal not reached";
            paths.Add(new PathView($"{name} ({OptimizerFamily.Settings(spec)})", spec, [.. run.Path], [.. run.Values], status, run.Iterations, run.FinalX, run.FinalF));
        }
        return new DescentView(View(r.Function), paths);
    }

    /// <summary>The races' names.</summary>
    public static IReadOnlyList<string> Races { get; } = OptimizersLab.DefaultRaces().Select(r => r.Name).ToList();

    private static FunctionView View(Objective f)
    {
        var (x0, x1, y0, y1) = f.Window;
        if (f.Dimension == 1)
        {
            var curve = Enumerable.Range(0, 301).Select(i => x0 + (x1 - x0) * i / 300).Select(x => new[] { x, f.F([x]) }).ToArray();
            return new FunctionView(f.Name, f.Formula, 1, [x0, x1], null, curve);
        }
        const int nx = 120, ny = 90;
        var z = new double[nx * ny];
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                z[j * nx + i] = f.F([x0 + (x1 - x0) * i / (nx - 1), y0 + (y1 - y0) * j / (ny - 1)]);
        return new FunctionView(f.Name, f.Formula, 2, [x0, x1, y0, y1], new FunctionGrid(nx, ny, x0, x1, y0, y1, z), null);
    }

    private static string G(double v) => v.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);
}
