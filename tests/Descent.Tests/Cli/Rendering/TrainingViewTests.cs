using Descent.Cli.Rendering;
using Descent.Training;

namespace Descent.Tests.Cli.Rendering;

/// <summary>The training display at 80, 100 and 120 columns, live in a terminal and piped.</summary>
public class TrainingViewTests
{
    private static readonly int[] Widths = [80, 100, 120];

    /// <summary>Feeds a fake run (3 epochs of 20 steps, with validation and a small learning rate) through the view.</summary>
    private static List<EpochMetrics> Drive(TrainingView view, bool validation)
    {
        var epochs = new List<EpochMetrics>();
        view.Run<int>((onStep, onEpoch) =>
        {
            for (int e = 0; e < 3; e++)
            {
                for (int s = 0; s < 20; s++)
                    onStep(new StepMetrics(e, e * 20 + s, s, 20, 0.5 - 0.01 * s, 0.8, 1e-3, 1.5, 61234.5));
                var m = new EpochMetrics(e, 0.3121 - 0.01 * e, 0.887, validation ? 0.3345 : double.NaN, validation ? 0.8801 : double.NaN,
                    9.549e-05 * (e + 1), 61234.5, 0.98, 1.2);
                epochs.Add(m);
                onEpoch(m);
            }
        }, () => 0);
        return epochs;
    }

    [Theory]
    [InlineData(80, false)]
    [InlineData(80, true)]
    [InlineData(100, false)]
    [InlineData(100, true)]
    [InlineData(120, false)]
    [InlineData(120, true)]
    public void EveryEpochLineIsShownWholeInATerminal(int width, bool validation)
    {
        var t = new TestConsole(width, terminal: true);
        var view = new TrainingView(t.Console, TextWriter.Null, quiet: false, epochs: 3);
        var epochs = Drive(view, validation);
        t.AssertFits();
        Assert.DoesNotContain("…", t.Raw);
        foreach (var e in epochs)
            Assert.Single(t.Lines, l => l == view.Line(e, width));   // whole, on a line of its own
        Assert.Contains("val_loss 0.3345", validation ? t.Words : "val_loss 0.3345");
        Assert.DoesNotContain("E-0", t.Raw);   // one number format: 9.549e-05, not 9.549E-05
        Assert.Contains("lr 9.549e-05", t.Words);
    }

    [Fact]
    public void PipedOutputIsOnePlainLinePerEpoch()
    {
        var piped = new StringWriter();
        var t = new TestConsole(80, terminal: false);
        var view = new TrainingView(t.Console, piped, quiet: false, epochs: 3);
        var epochs = Drive(view, validation: true);
        Assert.Equal(epochs.Select(e => view.Line(e)), piped.ToString().TrimEnd('\n').Split('\n'));
        Assert.Equal("", t.Raw);   // no live display, no escape codes
    }

    [Fact]
    public void JsonRunsShowNothing()
    {
        var piped = new StringWriter();
        var t = new TestConsole(80, terminal: true);
        Drive(new TrainingView(t.Console, piped, quiet: true, epochs: 3), validation: true);
        Assert.Equal("", piped.ToString() + t.Raw);
    }

    [Fact]
    public void TheLiveBarFitsEachWidth()
    {
        foreach (int width in Widths)
        {
            var t = new TestConsole(width, terminal: true);
            var view = new TrainingView(t.Console, TextWriter.Null, quiet: false, epochs: 3);
            view.Run<int>((onStep, _) =>
            {
                for (int s = 0; s < 5; s++) onStep(new StepMetrics(0, s, s, 469, 2.3026, 0.1, 1e-3, 1, 1_234_567));
                Thread.Sleep(250);   // the live display refreshes on its own timer: let it draw the bar mid-epoch
            }, () => 0);
            t.AssertFits();
            Assert.Contains("epoch 1/3", t.Words);
            Assert.Contains("%", t.Words);
        }
    }
}
