using Descent.Plotting;

namespace Descent.Lab;

/// <summary>
/// The figures of one optimizer race: one contour panel per optimizer on the same axes (small multiples: seven paths on
/// one contour hide each other), the loss per iteration in the same colours, and on the elongated bowl an overlay of
/// SGD, Momentum and Adam, the three that read apart.
/// </summary>
internal static class OptimizerFigures
{
    /// <summary>The figures of <paramref name="race"/> from its chosen runs (in the order of <paramref name="families"/>).</summary>
    public static IEnumerable<Figure> Race(Race race, IReadOnlyList<OptimizerRun> runs, IReadOnlyList<OptimizerFamily> families)
    {
        var f = race.Function;
        var (x0, x1, y0, y1) = f.Window;
        string Color(OptimizerRun r) => Palette.Color(families.ToList().FindIndex(fam => fam.Name == r.Optimizer));
        string Steps(OptimizerRun r) => r.Diverged ? "diverged" : r.StepsToGoal is { } s ? $"{s} step{(s == 1 ? "" : "s")}" : "goal not reached";
        string goal = race.Minimum is null ? "f ≤ −f(x₀)" : $"f − f* ≤ {race.Tolerance:0e0}·(f(x₀) − f*)";
        var grid = new PanelGrid { Title = $"Each optimizer at its best setting on {race.Title}, from ({race.Start[0]:g3}, {race.Start[1]:g3})", Columns = 3 };
        foreach (var r in runs)
        {
            var panel = new ContourPlot(f.At, x0, x1, y0, y1) { Title = $"{r.Optimizer}, {r.Settings}: {Steps(r)}", Levels = 10, Resolution = 70 };
            if (race.Minimum is not null) panel.Minimum(f.Name == "rosenbrock" ? 1 : 0, f.Name == "rosenbrock" ? 1 : 0, "min");
            else panel.Mark(0, 0, "saddle");
            panel.AddPath(r.Optimizer, Thin(r.Path).Select(p => (p[0], p[1])).ToList(), Color(r));
            grid.Add(panel);
        }
        foreach (var fam in families) grid.Legend($"{fam.Name}: {fam.Rule}", Palette.Color(families.ToList().IndexOf(fam)), marker: true);
        yield return new Figure($"optimizers-{race.Name}.svg", $"Paths on {race.Title}",
            $"One panel per optimizer, same axes; each at the setting with the lowest mean f − f* over the last quarter of {race.Iterations} steps " +
            (race.SettingsFrom is null ? "(grid α ∈ {1, 1.5, 2, 3, 5, 7}×10ᵏ, β ∈ {0.5, 0.9})" : $"(settings won on the {race.SettingsFrom} race)") +
            $". Steps count until {goal}. Open circle = start, dot = end, star = minimum.", grid.ToSvg()) { Wide = true };

        var loss = race.Minimum is null
            ? new LineChart { Title = $"Distance from the saddle along the escape direction, |x₁|", XLabel = "iteration", YLabel = "|x₁| (log)", YScale = AxisScale.Log }
            : new LineChart { Title = $"f(x) − f* per iteration on {race.Title}", XLabel = "iteration", YLabel = "f(x) − f* (log)", YScale = AxisScale.Log };
        foreach (var r in runs)
        {
            var ys = race.Minimum is { } m ? r.Values.Select(v => v - m).ToList() : r.Path.Select(p => Math.Abs(p[0])).ToList();
            loss.Add(Series.Indexed($"{r.Optimizer} ({r.Settings})", ys) with { Color = Color(r) });
        }
        if (race.Minimum is { } fs) loss.HorizontalRule(race.Tolerance * (f.F(race.Start) - fs), "goal");
        yield return new Figure($"optimizers-{race.Name}-loss.svg", $"Loss per iteration on {race.Title}",
            race.Minimum is null ? "A straight rising line on the log axis is geometric growth away from the saddle; a flat start is lingering."
                : "A straight line on the log axis is linear convergence; the steeper, the faster. The dashed line is the goal.", loss.ToSvg());

        if (race.Name == "elongated")
        {
            var overlay = new ContourPlot(f.At, x0, x1, y0, y1) { Title = "SGD zig-zags and creeps along x₁; Momentum keeps its speed and arrives first", Levels = 12, Height = 600 };
            overlay.Minimum(0, 0, "min");
            foreach (var r in runs.Where(r => r.Optimizer is "SGD" or "Momentum" or "Adam"))
                overlay.AddPath($"{r.Optimizer} ({r.Settings}): {Steps(r)}", r.Path.Take(40).Select(p => (p[0], p[1])).ToList(), Color(r));
            yield return new Figure("optimizers-elongated-overlay.svg", "SGD, Momentum and Adam on one contour",
                "The first 40 iterates of each (the same colours as the panels and the loss curves).", overlay.ToSvg());
        }
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
