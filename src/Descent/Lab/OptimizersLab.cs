using Descent.Optim;
using Descent.Plotting;

namespace Descent.Lab;

/// <summary>One optimizer's race on one function.</summary>
/// <param name="Function">Objective name.</param>
/// <param name="Optimizer">Optimizer text form (as accepted by --optimizer).</param>
/// <param name="Iterations">Steps taken.</param>
/// <param name="FinalX">Where it ended.</param>
/// <param name="FinalF">f there.</param>
/// <param name="StepsToTolerance">First step with f − f* &lt; 1e-4·(f(x₀) − f*) (null if never).</param>
/// <param name="Diverged">Whether the iterates blew up.</param>
public sealed record OptimizerRun(string Function, string Optimizer, int Iterations, double[] FinalX, double FinalF, int? StepsToTolerance, bool Diverged)
{
    /// <summary>Every iterate.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double[]> Path { get; init; } = [];

    /// <summary>f at every iterate.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double> Values { get; init; } = [];
}

/// <summary>One race: a function, a start and the optimizers with their learning rates.</summary>
public sealed record Race(Objective Function, double[] Start, double Minimum, int Iterations, string[] Optimizers);

/// <summary>What <c>descent lab optimizers</c> measured.</summary>
public sealed record OptimizersResult(IReadOnlyList<OptimizerRun> Runs, [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam and AdamW (the library's optimizers, float64) racing on the notes'
/// 2-D functions plus Rosenbrock and Beale: each step sets the parameter's gradient to ∇f(x) in closed form and calls
/// <see cref="IOptimizer.Step"/>. Trajectories are drawn on the contours, f − f* per iteration on a log axis.
/// Learning rates are chosen per function so every optimizer makes progress (Adagrad, RMSprop and Adam take steps of
/// about lr per coordinate whatever the gradient's scale; SGD's step is lr·∇f).
/// </summary>
public static class OptimizersLab
{
    /// <summary>The default races.</summary>
    public static IReadOnlyList<Race> DefaultRaces() =>
    [
        new(Objective.Elongated, [-8, 5], 0, 150, ["sgd:lr=0.4", "momentum:lr=0.1,momentum=0.9", "sgd:lr=0.1,momentum=0.9,nesterov=true",
            "adagrad:lr=2", "rmsprop:lr=0.1", "adam:lr=0.5", "adamw:lr=0.5,weight_decay=0.01"]),
        new(Objective.ShiftedBowl, [-9, 6], 0, 150, ["sgd:lr=0.1", "momentum:lr=0.05,momentum=0.9", "sgd:lr=0.05,momentum=0.9,nesterov=true",
            "adagrad:lr=3", "rmsprop:lr=0.1", "adam:lr=0.5", "adamw:lr=0.5,weight_decay=0.01"]),
        new(Objective.Rosenbrock, [-1.5, 2], 0, 3000, ["sgd:lr=1e-3", "momentum:lr=5e-4,momentum=0.9", "sgd:lr=5e-4,momentum=0.9,nesterov=true",
            "adagrad:lr=0.5", "rmsprop:lr=0.01", "adam:lr=0.05", "adamw:lr=0.05,weight_decay=0.01"]),
        new(Objective.Beale, [1, 1.5], 0, 3000, ["sgd:lr=5e-3", "momentum:lr=1e-3,momentum=0.9", "sgd:lr=1e-3,momentum=0.9,nesterov=true",
            "adagrad:lr=0.5", "rmsprop:lr=0.01", "adam:lr=0.05", "adamw:lr=0.05,weight_decay=0.01"]),
    ];

    /// <summary>Runs one optimizer on one function.</summary>
    public static OptimizerRun Race(Objective f, double[] start, double minimum, string optimizer, int iterations)
    {
        var spec = OptimizerSpec.Parse(optimizer);
        var x = Tensor.From((double[])start.Clone(), start.Length);   // [2]
        var opt = spec.Create([x]);
        var path = new List<double[]> { (double[])start.Clone() };
        var values = new List<double> { f.F(start) };
        double gap0 = values[0] - minimum;
        int? reached = null;
        bool diverged = false;
        int t = 0;
        for (; t < iterations; t++)
        {
            var cur = x.ToArray();
            x.Grad = Tensor.From(f.Gradient(cur), cur.Length);
            opt.Step();
            var next = x.ToArray();
            double fx = f.F(next);
            path.Add(next);
            values.Add(fx);
            if (reached is null && fx - minimum < 1e-4 * gap0) reached = t + 1;
            if (!next.All(double.IsFinite) || !double.IsFinite(fx) || GradientDescent.Norm(next) > 1e6) { diverged = true; t++; break; }
        }
        return new OptimizerRun(f.Name, optimizer, t, path[^1], values[^1], reached, diverged) { Path = path, Values = values };
    }

    /// <summary>Runs every race and draws, per function, the trajectories on the contours and the loss curves.</summary>
    public static OptimizersResult Run(IReadOnlyList<Race> races, double iterationScale = 1)
    {
        var runs = new List<OptimizerRun>();
        var figures = new List<Figure>();
        foreach (var race in races)
        {
            int iters = Math.Max(1, (int)(race.Iterations * iterationScale));
            var rs = race.Optimizers.Select(o => Race(race.Function, race.Start, race.Minimum, o, iters)).ToList();
            runs.AddRange(rs);
            var f = race.Function;
            var (x0, x1, y0, y1) = f.Window;
            var contour = new ContourPlot(f.At, x0, x1, y0, y1) { Title = $"Optimizers on {f.Formula} from ({race.Start[0]:g3}, {race.Start[1]:g3})", Levels = 18, Height = 640 };
            foreach (var r in rs) contour.AddPath(r.Optimizer + (r.Diverged ? " (diverged)" : ""), Thin(r.Path).Select(p => (p[0], p[1])).ToList());
            figures.Add(new Figure($"optimizers-{f.Name}.svg", $"Optimizer trajectories on {f.Formula}", $"{iters} steps each; open circle = start, dot = end.", contour.ToSvg()));
            var loss = new LineChart { Title = $"f(x) − f* per iteration on {f.Formula}", XLabel = "iteration", YLabel = "f(x) − f* (log)", YScale = AxisScale.Log };
            foreach (var r in rs) loss.Add(Series.Indexed(r.Optimizer, r.Values.Select(v => v - race.Minimum).ToList()));
            figures.Add(new Figure($"optimizers-{f.Name}-loss.svg", $"Loss per iteration on {f.Formula}", "Straight lines on the log axis are linear convergence.", loss.ToSvg()));
        }
        return new OptimizersResult(runs, figures);
    }

    /// <summary>At most ~400 points of a long path (keeps the first and last).</summary>
    private static IReadOnlyList<double[]> Thin(IReadOnlyList<double[]> path)
    {
        if (path.Count <= 400) return path;
        int stride = (path.Count + 399) / 400;
        var thin = path.Where((_, i) => i % stride == 0).ToList();
        if (!ReferenceEquals(thin[^1], path[^1])) thin.Add(path[^1]);
        return thin;
    }
}
