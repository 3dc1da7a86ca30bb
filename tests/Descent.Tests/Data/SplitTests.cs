using Descent.Data;

namespace Descent.Tests.Data;

public class SplitTests
{
    [Fact]
    public void DisjointCompleteAndSeeded()
    {
        var data = new Dataset("d/train", Enumerable.Range(0, 100).Select(i => (float)i).ToArray(), Enumerable.Range(0, 100).Select(i => i % 3).ToArray(), [1], ["a", "b", "c"]);
        var (train, val) = Split.TrainValidation(data, 0.25, 5);
        Assert.Equal(75, train.Count);
        Assert.Equal(25, val.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), train.Features.Concat(val.Features).Order());
        Assert.Equal("d/validation", val.Name);
        for (int i = 0; i < val.Count; i++) Assert.Equal((int)val.Features[i] % 3, val.Labels[i]);
        var (_, val2) = Split.TrainValidation(data, 0.25, 5);
        var (_, val3) = Split.TrainValidation(data, 0.25, 6);
        Assert.Equal(val.Features, val2.Features);
        Assert.NotEqual(val.Features, val3.Features);
        Assert.Throws<ArgumentException>(() => Split.TrainValidation(data, 1.0, 5));
    }
}
