using Descent.Losses;

namespace Descent.Tests.Losses;

public class LossSpecTests
{
    [Theory]
    [InlineData("cross-entropy", "cross-entropy", typeof(CrossEntropyLoss), true)]
    [InlineData("CE:label_smoothing=0.1", "cross-entropy:label_smoothing=0.1", typeof(CrossEntropyLoss), true)]
    [InlineData("mse", "mse", typeof(MseLoss), false)]
    [InlineData("half_sse", "half-sse", typeof(HalfSumSquaredError), false)]
    [InlineData("bce:pos_weight=2", "bce:pos_weight=2", typeof(BceWithLogitsLoss), false)]
    public void ParsesToCanonicalTextAndCreatesTheLoss(string text, string canonical, Type type, bool classification)
    {
        var spec = LossSpec.Parse(text);
        Assert.Equal(canonical, spec.ToString());
        Assert.Equal(spec, LossSpec.Parse(canonical));
        var loss = spec.Create();
        Assert.IsType(type, loss);
        Assert.Equal(classification, loss.IsClassification);
        Assert.Equal(classification, spec.IsClassification);
    }

    [Theory]
    [InlineData("foo", "Unknown loss 'foo' in 'foo'; accepted: cross-entropy, mse, half-sse, bce.")]
    [InlineData("mse:label_smoothing=0.1", "loss 'mse:label_smoothing=0.1': unknown key 'label_smoothing' for mse; accepted: none.")]
    [InlineData("cross-entropy:label_smoothing=2", "loss 'cross-entropy:label_smoothing=2': label_smoothing=2; expected a value in [0, 1].")]
    [InlineData("bce:pos_weight=-1", "loss 'bce:pos_weight=-1': pos_weight=-1; expected a finite value > 0.")]
    public void BadTextIsOneClearLine(string text, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => LossSpec.Parse(text)).Message);

    [Fact]
    public void WithChangesAndValidateChecks()
    {
        var smooth = LossSpec.CrossEntropy with { LabelSmoothing = 0.2 };
        Assert.Equal("cross-entropy:label_smoothing=0.2", smooth.ToString());
        Assert.Equal("cross-entropy", LossSpec.CrossEntropy.ToString());
        var e = Assert.Throws<ArgumentException>(() => (LossSpec.Mse with { LabelSmoothing = 0.1 }).Validate());
        Assert.Equal("loss 'mse:label_smoothing=0.1': label smoothing is a key of cross-entropy, not of mse.", e.Message);
    }

    [Fact]
    public void OfReadsLabelsOrValues()
    {
        var output = Tensor.From(new double[] { 1, 2, 0.5, -1 }, 2, 2);
        var values = Tensor.From(new double[] { 0, 1, 1, 0 }, 2, 2);
        var targets = new LossTargets([1, 0], values);
        Assert.Equal(new MseLoss().Forward(output, values).Item(), LossSpec.Mse.Create().Of(output, targets).Item());
        Assert.Equal(new CrossEntropyLoss().Forward(output, [1, 0]).Item(), LossSpec.CrossEntropy.Create().Of(output, targets).Item());
        Assert.Equal(Reduction.Sum, LossSpec.Parse("half-sse").Create().Reduction);
        var e = Assert.Throws<ArgumentException>(() => LossSpec.CrossEntropy.Create().Of(output, new LossTargets(null, values)));
        Assert.Contains("cross-entropy needs class labels", e.Message);
        Assert.Equal(new double[] { 0, 1, 0, 1, 0, 0 }, LossTargets.OneHot([1, 0], 3).ToArray());
    }
}
