using Descent.Plotting;

namespace Descent.Tests.Plotting;

public class AxisTests
{
    [Theory]
    [InlineData(0.37, 0.5)]
    [InlineData(1.0, 1.0)]
    [InlineData(1.2, 2.0)]
    [InlineData(3.0, 5.0)]
    [InlineData(7.0, 10.0)]
    [InlineData(0.0012, 0.002)]
    public void NiceStepIsOneTwoOrFive(double raw, double expected) => Assert.Equal(expected, Axis.NiceStep(raw), 12);

    [Fact]
    public void LinearTicksAreNiceAndCoverTheRange()
    {
        var a = new Axis(0.13, 0.96);
        Assert.Equal(0, a.Min, 12);
        Assert.Equal(1, a.Max, 12);
        Assert.Equal(new[] { 0, 0.2, 0.4, 0.6, 0.8, 1.0 }, a.Ticks().Select(t => Math.Round(t, 10)).ToArray());
    }

    [Fact]
    public void LogTicksArePowersOfTen()
    {
        var a = new Axis(3e-7, 0.4, AxisScale.Log);
        Assert.Equal(1e-7, a.Min, 15);
        Assert.Equal(1, a.Max, 12);
        Assert.All(a.Ticks(), t => Assert.Equal(Math.Round(Math.Log10(t)), Math.Log10(t), 9));
        Assert.Equal(0.5, a.Fraction(Math.Pow(10, -3.5)), 9);
    }

    [Fact]
    public void WideLogRangesUseDecadeStepsAlignedToMultiples()
    {
        var ticks = new Axis(1e-63, 10, AxisScale.Log).Ticks();
        var exps = ticks.Select(t => (int)Math.Round(Math.Log10(t))).ToList();
        int step = exps[1] - exps[0];
        Assert.Contains(step, new[] { 10, 20 });
        Assert.All(exps, e => Assert.Equal(0, e % step));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(0.25, "0.25")]
    [InlineData(1e-5, "1e-5")]
    [InlineData(2.5e6, "2.5e6")]
    [InlineData(-40, "-40")]
    public void TickLabelsAreShort(double v, string expected) => Assert.Equal(expected, Axis.Format(v));
}

public class ChartTests
{
    [Fact]
    public void LineChartIsWellFormedAndHoldsEverySeries()
    {
        var chart = new LineChart { Title = "A & B <test>", XLabel = "x", YLabel = "y" };
        chart.Add("first", [0, 1, 2], [1, 4, 9]).Add("second \"quoted\"", [0, 1, 2], [2, double.NaN, 3], dash: "4 2", markers: true);
        chart.VerticalRule(1, "rule");
        var doc = SvgAssert.WellFormed(chart.ToSvg());
        Assert.Equal(new[] { "first", "second \"quoted\"" }, SvgAssert.Names(doc, "series"));
        var text = SvgAssert.Text(doc);
        Assert.Contains("A & B <test>", text);
        Assert.Contains("rule", text);
        // The NaN breaks the second series into two runs.
        var second = doc.Descendants().First(e => (string?)e.Attribute("data-name") == "second \"quoted\"");
        Assert.Equal(2, second.Elements().Count(e => e.Name.LocalName == "polyline"));
    }

    [Fact]
    public void LogAxisSkipsNonPositiveValuesWithoutFailing()
    {
        var chart = new LineChart { YScale = AxisScale.Log, XScale = AxisScale.Log };
        chart.Add("s", [1e-5, 1e-3, 0.1, 10], [0, 1e-8, 1e3, double.PositiveInfinity]);
        SvgAssert.WellFormed(chart.ToSvg());
    }

    [Fact]
    public void MismatchedSeriesLengthsAreRejectedWithBothCounts()
    {
        var e = Assert.Throws<ArgumentException>(() => new LineChart().Add("bad", [1, 2, 3], [1, 2]));
        Assert.Contains("3 x values but 2 y values", e.Message);
    }

    [Fact]
    public void ContourPlotDrawsLevelsPathsAndMarks()
    {
        var plot = new ContourPlot((x, y) => x * x + y * y, -2, 2, -2, 2) { Title = "bowl" };
        plot.AddPath("gd", [(1.5, 1.5), (0.75, 0.75), (0, 0)]).Mark(0, 0, "minimum");
        var doc = SvgAssert.WellFormed(plot.ToSvg());
        Assert.Equal(new[] { "gd" }, SvgAssert.Names(doc, "path"));
        Assert.True(doc.Descendants().Single(e => (string?)e.Attribute("class") == "contours").Elements().Count() >= 10);
        Assert.Contains("minimum", SvgAssert.Text(doc));
    }

    [Fact]
    public void HistogramGridHasOnePanelPerLayer()
    {
        var rng = new Rng(1);
        var grid = new HistogramGrid { Title = "h", XRange = (-1, 1) };
        for (int l = 1; l <= 5; l++) grid.Add($"layer {l}", Enumerable.Range(0, 500).Select(_ => rng.NextNormal() * 0.3));
        var doc = SvgAssert.WellFormed(grid.ToSvg());
        Assert.Equal(Enumerable.Range(1, 5).Select(l => $"layer {l}"), SvgAssert.Names(doc, "panel"));
    }
}

public class ReportPageTests
{
    [Fact]
    public void PageLinksEveryFigureAcrossRunsAndReplacesRewrites()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var svg = new LineChart().Add("s", [0, 1], [0, 1]).ToSvg();
            var page = ReportPage.Open(dir);
            page.AddFigure("a.svg", svg, "First", "A");
            page.AddFigure("b.svg", svg, "First", "B");
            page.Save();
            var again = ReportPage.Open(dir);
            Assert.Equal(2, again.Entries.Count);
            again.AddFigure("c.svg", svg, "Second", "C");
            again.AddFigure("a.svg", svg, "First", "A (new)");
            again.Save();
            string html = File.ReadAllText(Path.Combine(dir, ReportPage.PageName));
            var listed = ReportPage.Open(dir).Entries;
            Assert.Equal(3, listed.Count);
            foreach (var e in listed)
            {
                Assert.True(File.Exists(Path.Combine(dir, e.File)), e.File);
                Assert.Contains($"href=\"{e.File}\"", html);
                Assert.Contains($"src=\"{e.File}\"", html);
            }
            Assert.Contains("A (new)", html);
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ASectionIsACourseUnitAndRewritingItNeverMixesRuns()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var svg = new LineChart().Add("s", [0, 1], [0, 1]).ToSvg();
            var page = ReportPage.Open(dir);
            var section = new ReportSection("init", "5 Weight initialization", "Activations at initialization", "Var(y) = n·Var(w)·Var(x)",
                "Each layer multiplies the variance by n·Var(w).", "./descent lab init", "┌ table ┐");
            page.WriteSection(section, [new Figure("init-a.svg", "A", "caption A", svg), new Figure("init-b.svg", "B", "caption B", svg) { Wide = true }]);
            page.WriteSection(section with { Id = "descend", Chapter = "1 Gradient descent", Title = "Descent" }, [new Figure("d.svg", "D", "", svg)]);
            page.Save();
            var again = ReportPage.Open(dir);
            again.WriteSection(section, [new Figure("init-a.svg", "A2", "caption A2", svg)]);   // the same run again, with fewer figures
            again.Save();
            string html = File.ReadAllText(Path.Combine(dir, ReportPage.PageName));
            Assert.DoesNotContain("init-b.svg\"><img", html);                    // the old run's figure is gone from its section
            Assert.Contains("A2", html);
            Assert.Contains("Var(y) = n·Var(w)·Var(x)", html);
            Assert.Contains("./descent lab init", html);
            Assert.Contains("<nav>", html);
            Assert.True(html.IndexOf("1 Gradient descent", StringComparison.Ordinal) < html.IndexOf("5 Weight initialization", StringComparison.Ordinal));
            Assert.DoesNotContain("<script", html);
            Assert.DoesNotContain("http", html);                                  // offline: no external resource
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FigureNamesMustBePlainSvgFileNames()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var page = ReportPage.Open(dir);
            Assert.Throws<ArgumentException>(() => page.AddFigure("../x.svg", "<svg/>", "s", "t"));
            Assert.Throws<ArgumentException>(() => page.AddFigure("x.png", "<svg/>", "s", "t"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
