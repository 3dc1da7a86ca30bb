using Descent.Lab;
using Descent.Tests.Plotting;

namespace Descent.Tests.Lab;

/// <summary>The numbers the notes state about gradient descent.</summary>
public class DescendLabTests
{
    [Fact]
    public void QuadraticReachesFiveAndMinusTwentyFour()
    {
        var r = GradientDescent.Run(Objective.Quadratic1D, [20], 0.1, 200);
        Assert.Equal(DescentStatus.Converged, r.Status);
        Assert.Equal(5, r.FinalX[0], 6);
        Assert.Equal(-24, r.FinalF, 9);
    }

    [Fact]
    public void SmallRateIsSlowLargeRateOneNeverConverges()
    {
        var slow = GradientDescent.Run(Objective.Quadratic1D, [20], 0.01, 100);
        Assert.Equal(DescentStatus.NotConverged, slow.Status);
        Assert.True(Math.Abs(slow.FinalX[0] - 5) > 1);
        // γ = 1: x ← (1 − 2γ)x + 10γ = 10 − x, so 20 → −10 → 20 … and f never decreases.
        var big = GradientDescent.Run(Objective.Quadratic1D, [20], 1, 100);
        Assert.Equal(DescentStatus.Oscillating, big.Status);
        Assert.Equal(-10, big.Path[1][0], 12);
        Assert.Equal(20, big.Path[2][0], 12);
        Assert.All(big.Values, v => Assert.Equal(201, v, 9));
    }

    [Fact]
    public void FirstStepOnTheShiftedBowlIsTheNotes()
    {
        var r = GradientDescent.Run(Objective.ShiftedBowl, [-9, 6], 0.1, 1);
        Assert.Equal(new[] { -28.0, 12.0 }, Objective.ShiftedBowl.Gradient([-9, 6]));
        Assert.Equal(-6.2, r.Path[1][0], 12);
        Assert.Equal(4.8, r.Path[1][1], 12);
        Assert.Equal(new[] { -22.4, 9.6 }, Objective.ShiftedBowl.Gradient(r.Path[1]).Select(g => Math.Round(g, 12)).ToArray());
    }

    [Fact]
    public void ElongatedBowlBouncesAtOneAndDivergesAbove()
    {
        var at1 = GradientDescent.Run(Objective.Elongated, [-8, 5], 1, 60);
        Assert.Equal(DescentStatus.Oscillating, at1.Status);
        Assert.Equal(5, Math.Abs(at1.FinalX[1]), 9);
        Assert.Equal(DescentStatus.Diverged, GradientDescent.Run(Objective.Elongated, [-8, 5], 1.1, 60).Status);
        Assert.Equal(DescentStatus.Diverged, GradientDescent.Run(Objective.Elongated, [-8, 5], 1.5, 200).Status);
        Assert.NotEqual(DescentStatus.Diverged, GradientDescent.Run(Objective.Elongated, [-8, 5], 0.9, 60).Status);
    }

    [Fact]
    public void QuarticRatesStallOvershootOrReachTheGlobalMinimum()
    {
        var f = Objective.Quartic1D;
        var small = GradientDescent.Run(f, [-20], 1e-5, 1000);
        Assert.InRange(small.FinalX[0], -2, 1);                    // stuck on the flat part near 0
        var large = GradientDescent.Run(f, [-20], 4e-4, 1000);
        Assert.Equal(DescentStatus.Oscillating, large.Status);     // 1 − γ f″(37.5) = −1.25: bounces around 37.5
        var right = GradientDescent.Run(f, [-20], 3e-4, 1000);
        Assert.Equal(DescentStatus.Converged, right.Status);
        Assert.Equal(37.5, right.FinalX[0], 3);
    }

    [Fact]
    public void QuarticFigureShowsTheWholePathAndZoomsOnTheFlatInflection()
    {
        var r = DescendLab.Run();
        var small = r.Runs.Single(x => x.Function == "quartic" && x.LearningRate == 1e-5);
        var fig = r.Figures.Single(f => f.FileName == "descend-quartic.svg");
        var doc = SvgAssert.WellFormed(fig.Svg);
        string text = SvgAssert.Text(doc);
        // The path is not cut: the legend and the drawn series end at the table's last iterate.
        Assert.Contains($"x = {small.FinalX[0]:0.##}", text);
        var series = doc.Descendants().Where(e => (string?)e.Attribute("data-name") == "γ = 1e-05").ToList();
        Assert.Equal(2, series.Count);                                            // in the whole view and in the zoom
        var trace = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "descend-quartic-trace.svg").Svg);
        var tracePoints = trace.Descendants().Where(e => (string?)e.Attribute("data-name") == "γ = 1e-05 (still moving)").Single()
            .Descendants().First(e => e.Name.LocalName == "polyline").Attribute("points")!.Value.Split(' ').Length;
        Assert.Equal(small.Path.Count, tracePoints);
        // The zoom's y axis shows the region near 0 (ticks of hundreds, not of 1e6).
        Assert.Contains("400", text.Split('\n'));
        Assert.Contains("-400", text.Split('\n'));
        // Where the notes are wrong, the caption says so.
        Assert.Contains("inflection", fig.Caption);
        Assert.Equal(DescentStatus.NotConverged, small.Status);                   // still crawling towards 0, not stuck in a minimum
    }

    [Fact]
    public void TheVerdictFollowsOneCriterion()
    {
        // f = 3.5e-10 after 60 steps at γ = 0.9: converged by the relative rule (the old absolute rule said "not converged").
        Assert.Equal(DescentStatus.Converged, GradientDescent.Run(Objective.Elongated, [-8, 5], 0.9, 60).Status);
        Assert.Equal(DescentStatus.NotConverged, GradientDescent.Run(Objective.Elongated, [-8, 5], 0.5, 60).Status);
        Assert.Contains("converged if", GradientDescent.Criterion);
    }

    [Fact]
    public void StationaryPointsOfTheCubicAreThreeSaddles()
    {
        var points = StationaryPoints.Find(Objective.Cubic2D);
        Assert.Equal(3, points.Count);
        Assert.All(points, p => Assert.Equal(StationaryKind.Saddle, p.Kind));
        Assert.Equal(new[] { -2.0, 0, 2 }, points.Select(p => Math.Round(p.X[0], 9)).ToArray());
        // f = 2, 0, 6 as the notes say. At x₁ = −2, f = 2 for every x₂; ∇f = 0 needs x₂ = 3/8 (the notes print 0.125).
        Assert.Equal(new[] { 2.0, 0, 6 }, points.Select(p => Math.Round(p.F, 9)).ToArray());
        Assert.Equal(new[] { 0.375, 0.25, -0.625 }, points.Select(p => Math.Round(p.X[1], 9)).ToArray());
    }

    [Theory]
    [InlineData(1, 1, "Minimum")]
    [InlineData(-1, -3, "Maximum")]
    [InlineData(-2, 2, "Saddle")]
    public void HessianSignsClassify(double a, double d, string kindName)   // StationaryKind is internal: a public test method names it by text
    {
        var kind = Enum.Parse<StationaryKind>(kindName);
        var f = new Objective("q", "q", 2, x => 0.5 * (a * x[0] * x[0] + d * x[1] * x[1]), x => [a * x[0], d * x[1]], _ => [a, 0, 0, d], (-1, 1, -1, 1));
        Assert.Equal(kind, StationaryPoints.Classify(f, [0, 0]).Kind);
        Assert.Equal(kind, StationaryPoints.Find(f).Single().Kind);
    }

    [Fact]
    public void SaddleStopsGradientDescentOnItsStableAxis()
    {
        var stuck = GradientDescent.Run(Objective.Saddle, [0, 4], 0.1, 200);
        Assert.Equal(0, stuck.FinalX[0]);
        Assert.True(Math.Abs(stuck.FinalX[1]) < 1e-8);
        Assert.Equal(DescentStatus.Diverged, GradientDescent.Run(Objective.Saddle, [0.01, 4], 0.1, 200).Status);
    }

    [Fact]
    public void EveryFigureIsWellFormedWithItsSeries()
    {
        var r = DescendLab.Run();
        Assert.Equal(9, r.Figures.Count);
        Assert.Equal(r.Figures.Count, r.Figures.Select(f => f.FileName).Distinct().Count());
        foreach (var fig in r.Figures)
        {
            var doc = SvgAssert.WellFormed(fig.Svg);
            int series = SvgAssert.Names(doc, "series").Count + SvgAssert.Names(doc, "path").Count;
            if (fig.FileName != "descend-stationary.svg") Assert.True(series >= 1, fig.FileName);
        }
        var quad = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "descend-quadratic.svg").Svg);
        Assert.Equal(new[] { "f(x)", "γ = 0.01 (still moving)", "γ = 0.1 (converged)", "γ = 1 (oscillating)" }, SvgAssert.Names(quad, "series"));
        var el = SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "descend-elongated.svg").Svg);
        Assert.Equal(4, SvgAssert.Names(el, "path").Count);
        Assert.Contains(SvgAssert.Names(el, "path"), n => n.Contains("diverged"));
        Assert.Equal(3, SvgAssert.Text(SvgAssert.WellFormed(r.Figures.Single(f => f.FileName == "descend-stationary.svg").Svg)).Split("saddle").Length - 1);
    }
}
