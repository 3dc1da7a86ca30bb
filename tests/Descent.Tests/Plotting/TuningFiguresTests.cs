using Descent.Plotting;
using Descent.Tuning;

namespace Descent.Tests.Plotting;

public class TuningFiguresTests
{
    [Fact]
    public void OneFigurePerParameterPlusBestSoFarOnTheParametersScale()
    {
        var obj = SyntheticObjective.Quadratic();
        var study = Study.Open(new InMemoryStudyStorage(), "figs", obj.DefaultSpace, obj, new StudyOptions { Trials = 12, Pruner = new MedianPruner(1, 2) });
        study.Optimize(obj);
        var figures = TuningFigures.All(study.Info, study.Trials());
        Assert.Equal(["tune-figs-lr.svg", "tune-figs-momentum.svg", "tune-figs-hidden.svg", "tune-figs-batch-size.svg", "tune-figs-best-so-far.svg"],
            figures.Select(f => f.FileName));
        Assert.All(figures, f => SvgAssert.WellFormed(f.Svg));
        Assert.Equal(["best so far", "complete", "pruned"], SvgAssert.Names(SvgAssert.WellFormed(figures[4].Svg), "series"));
        Assert.Contains("1 − momentum", figures[1].Svg);
        Assert.Contains("0 = 32", figures[3].Svg);
        Assert.Contains("data-name=\"best so far\"", figures[4].Svg);
        Assert.Contains("data-name=\"complete\"", figures[0].Svg);
    }
}
