using Descent.Plotting;

namespace Descent.Lab;

/// <summary>What <c>descent lab descend</c> measured: every run, the stationary points of the cubic example, and the figures.</summary>
public sealed record DescendResult(IReadOnlyList<DescentRun> Runs, IReadOnlyList<StationaryPoint> StationaryPoints,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// Gradient descent on the notes' functions (x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾ − γ∇f(x⁽ᵗ⁾)):
/// <list type="bullet">
/// <item>x² − 10x + 1 from x = 20 with γ = 0.01 (slow), 0.1 (reaches x = 5, f = −24), 1 (x ↦ 10 − x: bounces forever);</item>
/// <item>x⁴ − 50x³ − x + 1 from x = −20 with γ = 1e-5 (stuck on the flat part near x = 0 that the notes call the local
/// minimum: there f′ ≈ −1, an inflection point), 4e-4 (overshoots: 1 − γf″(37.5) = −1.25, never settles), 3e-4 (reaches the
/// global minimum near 37.5);</item>
/// <item>(x₁ − 5)² + x₂² from (−9, 6) with α = 0.1 (first step (−6.2, 4.8));</item>
/// <item>0.1x₁² + x₂² from (−8, 5) with γ = 0.5, 0.9, 1 (x₂ bounces) and 1.1 (diverges);</item>
/// <item>the saddle x₂² − x₁² from (0, 4) (stops at the saddle) and (0.01, 4) (escapes);</item>
/// <item>the stationary points of x₁² + x₁ − 4x₁x₂ + x₁³x₂, found and classified with the Hessian.</item>
/// </list>
/// </summary>
public static class DescendLab
{
    /// <summary>Runs every experiment and draws the figures.</summary>
    public static DescendResult Run()
    {
        var runs = new List<DescentRun>();
        var figures = new List<Figure>();

        var q = Objective.Quadratic1D;
        var qRuns = new[] { 0.01, 0.1, 1.0 }.Select(lr => GradientDescent.Run(q, [20], lr, 100)).ToList();
        runs.AddRange(qRuns);
        figures.AddRange(OneDimensional(q, qRuns, "f(x) = x² − 10x + 1: γ = 0.01 is slow, 0.1 reaches x = 5, 1 bounces between 20 and −10", null));

        var c = Objective.Quartic1D;
        var cRuns = new[] { 1e-5, 4e-4, 3e-4 }.Select(lr => GradientDescent.Run(c, [-20], lr, 1000)).ToList();
        runs.AddRange(cRuns);
        figures.AddRange(OneDimensional(c, cRuns, "f(x) = x⁴ − 50x³ − x + 1: 1e-5 stalls near x = 0, 4e-4 overshoots, 3e-4 reaches the global minimum", (-2e6, 2e6)));

        var bowl = Objective.ShiftedBowl;
        var bowlRun = GradientDescent.Run(bowl, [-9, 6], 0.1, 200);
        runs.Add(bowlRun);
        figures.Add(Contour(bowl, [bowlRun], "descend-bowl.svg", "(x₁ − 5)² + x₂² from (−9, 6), α = 0.1",
            $"First step to ({bowlRun.Path[1][0]:0.###}, {bowlRun.Path[1][1]:0.###}); each step shrinks the distance to (5, 0) by 0.8."));

        var el = Objective.Elongated;
        var elRuns = new[] { 0.5, 0.9, 1.0, 1.1 }.Select(lr => GradientDescent.Run(el, [-8, 5], lr, 60)).ToList();
        runs.AddRange(elRuns);
        figures.Add(Contour(el, elRuns, "descend-elongated.svg", "0.1x₁² + x₂² from (−8, 5)",
            "x₂ is multiplied by 1 − 2γ each step: it shrinks for γ < 1, bounces at γ = 1 and grows for γ > 1 (diverges)."));
        figures.Add(LossCurves(elRuns, "descend-elongated-loss.svg", "0.1x₁² + x₂²: f(x) per iteration"));

        var s = Objective.Saddle;
        var sRuns = new List<DescentRun> { GradientDescent.Run(s, [0, 4], 0.1, 60), GradientDescent.Run(s, [0.01, 4], 0.1, 60) };
        runs.AddRange(sRuns);
        figures.Add(Contour(s, sRuns, "descend-saddle.svg", "Saddle x₂² − x₁², α = 0.1",
            "From (0, 4) descent stops at the saddle (∇f = 0 there); a 0.01 nudge along x₁ escapes, slowly at first."));

        var cubic = Objective.Cubic2D;
        var points = StationaryPoints.Find(cubic);
        var plot = new ContourPlot(cubic.At, cubic.Window.X0, cubic.Window.X1, cubic.Window.Y0, cubic.Window.Y1)
        { Title = "Stationary points of x₁² + x₁ − 4x₁x₂ + x₁³x₂", Levels = 24 };
        foreach (var p in points) plot.Mark(p.X[0], p.X[1], $"{p.KindText} f={p.F:0.##}");
        figures.Add(new Figure("descend-stationary.svg", "Stationary points classified by the Hessian",
            "Where ∇f = 0: the Hessian has eigenvalues of both signs at each, so none is an extremum.", plot.ToSvg()));
        return new DescendResult(runs, points, figures);
    }

    private static IEnumerable<Figure> OneDimensional(Objective f, IReadOnlyList<DescentRun> runs, string caption, (double, double)? yRange)
    {
        var (lo, hi, _, _) = f.Window;
        var xs = Enumerable.Range(0, 301).Select(i => lo + (hi - lo) * i / 300).ToList();
        var curve = new LineChart { Title = $"Gradient descent on f(x) = {f.Formula}", XLabel = "x", YLabel = "f(x)", XRange = (lo, hi), YRange = yRange };
        curve.Add("f(x)", xs, xs.Select(x => f.F([x])).ToList(), dash: "2 3");
        foreach (var r in runs)
        {
            var shown = r.Path.Take(40).ToList();
            curve.Add($"γ = {r.LearningRate:g3} ({r.StatusText})", shown.Select(p => p[0]).ToList(), shown.Select(p => f.F(p)).ToList(), markers: true);
        }
        yield return new Figure($"descend-{f.Name}.svg", $"f(x) = {f.Formula}: the first 40 iterates", caption, curve.ToSvg());
        var trace = new LineChart { Title = $"x per iteration on f(x) = {f.Formula}", XLabel = "iteration t", YLabel = "x⁽ᵗ⁾" };
        foreach (var r in runs) trace.Add(Series.Indexed($"γ = {r.LearningRate:g3}", r.Path.Select(p => p[0]).ToList()));
        yield return new Figure($"descend-{f.Name}-trace.svg", $"f(x) = {f.Formula}: x per iteration", caption, trace.ToSvg());
    }

    /// <summary>Iterates drawn on a contour plot (the table has the whole run).</summary>
    private const int PathShown = 25;

    private static Figure Contour(Objective f, IReadOnlyList<DescentRun> runs, string file, string title, string caption)
    {
        var (x0, x1, y0, y1) = f.Window;
        var plot = new ContourPlot(f.At, x0, x1, y0, y1) { Title = title, Levels = 16 };
        foreach (var r in runs)
            plot.AddPath($"γ = {r.LearningRate:g3}, start ({r.Start[0]:g3}, {r.Start[1]:g3}) — {r.StatusText}", r.Path.Take(PathShown).Select(p => (p[0], p[1])).ToList());
        return new Figure(file, title, caption + $" (first {PathShown} iterates drawn; open circle = start, dot = last drawn.)", plot.ToSvg());
    }

    private static Figure LossCurves(IReadOnlyList<DescentRun> runs, string file, string title)
    {
        var chart = new LineChart { Title = title, XLabel = "iteration", YLabel = "f(x) (log scale)", YScale = AxisScale.Log };
        foreach (var r in runs) chart.Add(Series.Indexed($"γ = {r.LearningRate:g3}", r.Values));
        return new Figure(file, title, "A log axis shows the linear convergence rate as a straight line.", chart.ToSvg());
    }
}
