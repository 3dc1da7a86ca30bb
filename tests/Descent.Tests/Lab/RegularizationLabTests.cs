using Descent.Lab;
using Descent.Tests.Plotting;

namespace Descent.Tests.Lab;

/// <summary>Dropout and L2 on a network that overfits.</summary>
public class RegularizationLabTests
{
    [Fact]
    public void DropoutAndL2NarrowTheGapAndL2ShrinksTheWeights()
    {
        var r = RegularizationLab.Run(120, "adam:lr=0.003", 0, trainSamples: 100, hidden: 100);
        double Gap(RegularizationRun x) => x.TestLoss[^1] - x.TrainLoss[^1];
        var plain = r.Runs.Single(x => x.Name == "plain");
        var drop = r.Runs.Single(x => x.Name == "dropout 0.5");
        var l2 = r.Runs.Single(x => x.Name == "L2 λ = 1e-2");
        Assert.True(Gap(plain) > 0.1, $"the plain net should overfit: gap {Gap(plain)}");
        Assert.True(Gap(drop) < Gap(plain), $"dropout {Gap(drop)} vs plain {Gap(plain)}");
        Assert.True(Gap(l2) < Gap(plain), $"L2 {Gap(l2)} vs plain {Gap(plain)}");
        Assert.True(l2.WeightNorm[^1] < 0.5 * plain.WeightNorm[^1], $"‖W‖ {l2.WeightNorm[^1]} vs {plain.WeightNorm[^1]}");
        Assert.All(r.Figures, f => SvgAssert.WellFormed(f.Svg));
    }
}
