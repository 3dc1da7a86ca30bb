using Descent.Lab;
using Descent.Tests.Plotting;

namespace Descent.Tests.Lab;

/// <summary>Gradient checking as the notes read it: 1e-7 / 1e-5 / 1e-3.</summary>
public class GradCheckLabTests
{
    [Fact]
    public void CorrectBackwardIsGreatAndBothBugsAreCaught()
    {
        var r = GradCheckLab.Run(0);
        Assert.True(r.Runs[0].AtNotesEpsilon < 1e-7, $"{r.Runs[0].AtNotesEpsilon}");
        Assert.Equal("great", r.Runs[0].Verdict);
        Assert.True(r.Runs[2].AtNotesEpsilon > 1e-3, $"{r.Runs[2].AtNotesEpsilon}");     // forgets f′
        Assert.Equal("a bug", r.Runs[2].Verdict);
        Assert.InRange(r.Runs[3].AtNotesEpsilon, 1e-5, 1e-3);                             // 0.1 % off
        // A correct gradient's difference falls with ε (truncation) and rises again at tiny ε (rounding); a bug's stays flat.
        var d = r.Runs[0].RelativeDifferences;
        Assert.True(d.Min() < d[0] / 1e3 && d.Min() < d[^1] / 10);
        Assert.True(r.Runs[2].RelativeDifferences.Max() / r.Runs[2].RelativeDifferences.Min() < 1.1);
        SvgAssert.WellFormed(r.Figures[0].Svg);
    }
}
