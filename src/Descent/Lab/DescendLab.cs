using Descent.Plotting;

namespace Descent.Lab;

/// <summary>What <c>descent lab descend</c> measured: every run, the stationary points of the cubic example, and the figures.</summary>
internal sealed record DescendResult(IReadOnlyList<DescentRun> Runs, IReadOnlyList<StationaryPoint> StationaryPoints,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// Gradient descent on the notes' functions (x⁽ᵗ⁺¹⁾ = x⁽ᵗ⁾ − γ∇f(x⁽ᵗ⁾)):
/// <list type="bullet">
/// <item>x² − 10x + 1 from x = 20 with γ = 0.01 (slow), 0.1 (reaches x = 5, f = −24), 1 (x ↦ 10 − x: bounces forever);</item>
/// <item>x⁴ − 50x³ − x + 1 from x = −20 with γ = 1e-5 (crawls towards the flat part near x = 0 that the notes call the local
/// minimum: there f′ = −1 and f″ = 0, an inflection point), 4e-4 (overshoots: 1 − γf″(37.5) = −1.25, never settles), 3e-4 (reaches the
/// global minimum near 37.5);</item>
/// <item>(x₁ − 5)² + x₂² from (−9, 6) with α = 0.1 (first step (−6.2, 4.8));</item>
/// <item>0.1x₁² + x₂² from (−8, 5) with γ = 0.5, 0.9, 1 (x₂ bounces) and 1.1 (diverges);</item>
/// <item>the saddle x₂² − x₁² from (0, 4) (stops at the saddle) and (0.01, 4) (escapes);</item>
/// <item>the stationary points of x₁² + x₁ − 4x₁x₂ + x₁³x₂, found and classified with the Hessian.</item>
/// </list>
/// </summary>
internal static class DescendLab
{
    /// <summary>The lesson of the chapter, as the report states it.</summary>
    public const string Lesson =
        "The gradient points uphill, so descent steps against it, and the step γ must fit the curvature: on x² − 10x + 1 γ = 0.01 crawls, " +
        "0.1 reaches x = 5 (f = −24) and 1 bounces between 20 and −10; on the elongated bowl the steep x₂ direction sets the limit γ < 1. " +
        "Where ∇f = 0 the Hessian decides: the cubic's three stationary points are all saddles, and the quartic's 'local minimum' near 0 is a flat inflection.";

    /// <summary>Where the notes are wrong, in one sentence each (printed under the table and in the captions).</summary>
    public const string NotesCorrections =
        "The notes list (−2, 0.125): at x₁ = −2, ∂f/∂x₁ = −3 + 8x₂, so ∇f = 0 needs x₂ = 3/8 = 0.375 (f = 2 either way). " +
        "The notes call the quartic's flat part near x = 0 a local minimum: there f′(0) = −1 and f″(0) = 0, an inflection point, not a stationary point.";

    /// <summary>Runs every experiment and draws the figures.</summary>
    public static DescendResult Run()
    {
        var runs = new List<DescentRun>();
        var figures = new List<Figure>();

        var q = Objective.Quadratic1D;
        var qRuns = new[] { 0.01, 0.1, 1.0 }.Select(lr => GradientDescent.Run(q, [20], lr, 100)).ToList();
        runs.AddRange(qRuns);
        figures.AddRange(OneDimensional(q, qRuns, "f(x) = x² − 10x + 1: γ = 0.01 is slow, 0.1 reaches x = 5, 1 bounces between 20 and −10"));

        var c = Objective.Quartic1D;
        var cRuns = new[] { 1e-5, 4e-4, 3e-4 }.Select(lr => GradientDescent.Run(c, [-20], lr, 1000)).ToList();
        runs.AddRange(cRuns);
        figures.Add(Quartic(c, cRuns));
        figures.Add(Trace(c, cRuns, "f(x) = x⁴ − 50x³ − x + 1: 1e-5 crawls towards the flat inflection at 0 (x = " +
            $"{cRuns[0].FinalX[0]:0.##} after {cRuns[0].Iterations} steps), 4e-4 overshoots the minimum at 37.5 and bounces, 3e-4 settles there."));

        var bowl = Objective.ShiftedBowl;
        var bowlRun = GradientDescent.Run(bowl, [-9, 6], 0.1, 200);
        runs.Add(bowlRun);
        var bowlPlot = ContourOf(bowl, [bowlRun], "(x₁ − 5)² + x₂² from (−9, 6), α = 0.1");
        bowlPlot.Minimum(5, 0, "minimum (5, 0)");
        for (int k = 0; k < 2; k++)
        {
            var x = bowlRun.Path[k];
            var g = bowl.Gradient(x);
            bowlPlot.AddArrow(new Arrow(x[0], x[1], 0.05 * g[0], 0.05 * g[1], $"∇f(x⁽{(k == 0 ? "⁰" : "¹")}⁾) = ({g[0]:0.#}, {g[1]:0.#})", "#c0392b"));
        }
        figures.Add(new Figure("descend-bowl.svg", "(x₁ − 5)² + x₂² from (−9, 6), α = 0.1",
            $"Red arrows: the gradient at x⁽⁰⁾ and x⁽¹⁾ (drawn ×0.05), perpendicular to the level lines and pointing uphill; each step goes the other way, " +
            $"to ({bowlRun.Path[1][0]:0.###}, {bowlRun.Path[1][1]:0.###}) first, and shrinks the distance to (5, 0) by 1 − 2α = 0.8.", bowlPlot.ToSvg()));

        var el = Objective.Elongated;
        var elRuns = new[] { 0.5, 0.9, 1.0, 1.1 }.Select(lr => GradientDescent.Run(el, [-8, 5], lr, 60)).ToList();
        runs.AddRange(elRuns);
        var elPlot = ContourOf(el, elRuns, "0.1x₁² + x₂² from (−8, 5)");
        elPlot.Minimum(0, 0, "minimum");
        figures.Add(new Figure("descend-elongated.svg", "0.1x₁² + x₂² from (−8, 5)",
            "x₂ is multiplied by 1 − 2γ each step (zig-zag for γ > 0.5): it shrinks for γ < 1, bounces at γ = 1 and grows for γ > 1; x₁ shrinks by only 1 − 0.2γ.", elPlot.ToSvg()));
        figures.Add(LossCurves(elRuns, "descend-elongated-loss.svg", "0.1x₁² + x₂²: f(x) per iteration"));

        var s = Objective.Saddle;
        var sRuns = new List<DescentRun> { GradientDescent.Run(s, [0, 4], 0.1, 60), GradientDescent.Run(s, [0.01, 4], 0.1, 60) };
        runs.AddRange(sRuns);
        var sPlot = ContourOf(s, sRuns, "Saddle x₂² − x₁², α = 0.1");
        sPlot.Mark(0, 0, "saddle");
        figures.Add(new Figure("descend-saddle.svg", "Saddle x₂² − x₁², α = 0.1",
            "From (0, 4) descent stops at the saddle (∇f = 0 there, though it is no minimum); a 0.01 nudge along x₁ escapes, slowly at first.", sPlot.ToSvg()));

        var cubic = Objective.Cubic2D;
        var points = StationaryPoints.Find(cubic);
        var plot = new ContourPlot(cubic.At, cubic.Window.X0, cubic.Window.X1, cubic.Window.Y0, cubic.Window.Y1)
        { Title = "Stationary points of x₁² + x₁ − 4x₁x₂ + x₁³x₂", Levels = 16, Height = 440 };
        foreach (var p in points) plot.Mark(p.X[0], p.X[1], $"{p.KindText} ({p.X[0]:0.###}, {p.X[1]:0.###}), f = {p.F:0.##}");
        figures.Add(new Figure("descend-stationary.svg", "Stationary points classified by the Hessian",
            "Where ∇f = 0 the Hessian has eigenvalues of both signs at each point, so none is an extremum. " + NotesCorrections.Split(". ")[0] + ".", plot.ToSvg()));
        return new DescendResult(runs, points, figures);
    }

    private static IEnumerable<Figure> OneDimensional(Objective f, IReadOnlyList<DescentRun> runs, string caption)
    {
        var (lo, hi, _, _) = f.Window;
        var curve = Curve(f, lo, hi, null, $"Gradient descent on f(x) = {f.Formula}");
        for (int i = 0; i < runs.Count; i++)
            curve.Add(new Series($"γ = {runs[i].LearningRate:g3} ({runs[i].StatusText})", runs[i].Path.Select(p => p[0]).ToList(), runs[i].Path.Select(p => f.F(p)).ToList(), null, true)
            { Color = Palette.Color(i) });
        yield return new Figure($"descend-{f.Name}.svg", $"f(x) = {f.Formula}: every iterate", caption, curve.ToSvg());
        yield return Trace(f, runs, caption);
    }

    /// <summary>The curve of f with a palette offset: f is grey and dashed, the runs take the palette from its first colour.</summary>
    private static LineChart Curve(Objective f, double lo, double hi, (double, double)? yRange, string title, bool legend = true)
    {
        var xs = Enumerable.Range(0, 401).Select(i => lo + (hi - lo) * i / 400).ToList();
        var chart = new LineChart { Title = title, XLabel = "x", YLabel = "f(x)", XRange = (lo, hi), YRange = yRange, ShowLegend = legend };
        chart.Add(new Series("f(x)", xs, xs.Select(x => f.F([x])).ToList(), "2 3") { Color = "#777" });
        return chart;
    }

    /// <summary>The quartic in two panels: the whole curve, and x ∈ [−2, 2] where the flat inflection at 0 is.</summary>
    private static Figure Quartic(Objective f, IReadOnlyList<DescentRun> runs)
    {
        var (lo, hi, _, _) = f.Window;
        var grid = new PanelGrid { Title = $"Gradient descent on f(x) = {f.Formula} from x = −20 (every iterate)", Columns = 2, PanelWidth = 560, PanelHeight = 420 };
        var whole = Curve(f, lo, hi, null, "the whole curve: the global minimum at x ≈ 37.5", legend: false);
        var zoom = Curve(f, -2, 2, (-450, 450), "zoom on x ∈ [−2, 2]: f′(0) = −1, f″(0) = 0", legend: false);
        zoom.Add(new Series("", [-2, 2], [1 + 2, 1 - 2], "6 3") { Color = "#000" });   // tangent at 0: slope f′(0) = −1
        for (int i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            var shown = r.Path.Where((_, k) => k % Math.Max(1, r.Path.Count / 150) == 0 || k == r.Path.Count - 1).ToList();
            var series = new Series($"γ = {r.LearningRate:g3}", shown.Select(p => p[0]).ToList(), shown.Select(p => f.F(p)).ToList(), null, true) { Color = Palette.Color(i) };
            whole.Add(series);
            zoom.Add(series);
        }
        grid.Add(whole).Add(zoom);
        grid.Legend("f(x)", "#777", "2 3");
        for (int i = 0; i < runs.Count; i++) grid.Legend($"γ = {runs[i].LearningRate:g3} ({runs[i].StatusText}, x = {runs[i].FinalX[0]:0.##})", Palette.Color(i), marker: true);
        grid.Legend("tangent at 0 (slope −1)", "#000", "6 3");
        return new Figure("descend-quartic.svg", $"f(x) = {f.Formula}: the whole curve and the flat part near 0",
            "Left: 3e-4 settles at the global minimum near 37.5 and 4e-4 bounces around it (1 − γf″(37.5) = −1.25). Right: the 1e-5 run crawls up to " +
            $"x = {runs[0].FinalX[0]:0.##} after {runs[0].Iterations} steps. " + NotesCorrections.Split(". ")[1], grid.ToSvg()) { Wide = true };
    }

    private static Figure Trace(Objective f, IReadOnlyList<DescentRun> runs, string caption)
    {
        var trace = new LineChart { Title = $"x per iteration on f(x) = {f.Formula}", XLabel = "iteration t", YLabel = "x⁽ᵗ⁾" };
        foreach (var r in runs) trace.Add(Series.Indexed($"γ = {r.LearningRate:g3} ({r.StatusText})", r.Path.Select(p => p[0]).ToList()));
        return new Figure($"descend-{f.Name}-trace.svg", $"f(x) = {f.Formula}: x per iteration", caption, trace.ToSvg());
    }

    private static ContourPlot ContourOf(Objective f, IReadOnlyList<DescentRun> runs, string title)
    {
        var (x0, x1, y0, y1) = f.Window;
        var plot = new ContourPlot(f.At, x0, x1, y0, y1) { Title = title, Levels = 12 };
        foreach (var r in runs)
        {
            // Every iterate, up to the first one outside the window (a diverging run leaves it; the table has the rest).
            int inside = r.Path.TakeWhile(p => p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1).Count();
            var shown = r.Path.Take(Math.Min(r.Path.Count, inside + 1)).Select(p => (p[0], p[1])).ToList();
            string cut = shown.Count < r.Path.Count ? $", drawn until it leaves the window at step {shown.Count - 1}" : "";
            plot.AddPath($"γ = {r.LearningRate:g3}, start ({r.Start[0]:g3}, {r.Start[1]:g3}): {r.StatusText} after {r.Iterations} steps{cut}", shown);
        }
        return plot;
    }

    private static Figure LossCurves(IReadOnlyList<DescentRun> runs, string file, string title)
    {
        var chart = new LineChart { Title = title, XLabel = "iteration", YLabel = "f(x) (log scale)", YScale = AxisScale.Log };
        foreach (var r in runs) chart.Add(Series.Indexed($"γ = {r.LearningRate:g3} ({r.StatusText})", r.Values));
        return new Figure(file, title, "A log axis shows linear convergence as a straight line: γ = 0.9 is fastest, γ = 1 stays flat (bouncing), γ = 1.1 climbs (diverging).", chart.ToSvg());
    }
}
