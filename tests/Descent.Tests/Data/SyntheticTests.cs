using Descent.Data;

namespace Descent.Tests.Data;

public class SyntheticTests
{
    [Theory]
    [InlineData("circles", 2)]
    [InlineData("moons", 2)]
    [InlineData("spirals", 3)]
    [InlineData("blobs", 3)]
    [InlineData("xor", 2)]
    public void SeededAndBalanced(string name, int classes)
    {
        var a = DatasetSpec.Load(name, 7);
        var b = DatasetSpec.Load(name, 7);
        var c = DatasetSpec.Load(name, 8);
        Assert.Equal(a.Train.Features, b.Train.Features);
        Assert.Equal(a.Train.Labels, b.Train.Labels);
        Assert.NotEqual(a.Train.Features, c.Train.Features);
        Assert.NotEqual(a.Train.Features, a.Test.Features);
        Assert.Equal(DatasetSpec.DefaultSyntheticCount, a.Train.Count);
        Assert.Equal([2], a.Train.FeatureShape);
        Assert.Equal(classes, a.Train.ClassCount);
        Assert.All(a.Train.ClassCounts(), n => Assert.InRange(n, a.Train.Count / classes * 0.85, a.Train.Count / classes * 1.15 + 1));
        Assert.All(a.Train.Features, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void SpecOptionsSetCountNoiseAndClasses()
    {
        var d = DatasetSpec.Load("spirals:n=250,noise=0,classes=5", 1).Train;
        Assert.Equal(250, d.Count);
        Assert.Equal(5, d.ClassCount);
        Assert.All(d.ClassCounts(), n => Assert.Equal(50, n));
        for (int i = 0; i < d.Count; i++) // without noise every spiral point lies within the unit disc
            Assert.True(d.Features[2 * i] * d.Features[2 * i] + d.Features[2 * i + 1] * d.Features[2 * i + 1] <= 1.0001f);
        var circles = DatasetSpec.Load("circles:noise=0", 1).Train;
        for (int i = 0; i < circles.Count; i++)
        {
            double r = Math.Sqrt(circles.Features[2 * i] * circles.Features[2 * i] + circles.Features[2 * i + 1] * circles.Features[2 * i + 1]);
            Assert.Equal(circles.Labels[i] == 0 ? 1.0 : 0.5, r, 1e-5);
        }
    }

    [Fact]
    public void XorLabelsFollowQuadrantsWithoutNoise()
    {
        var d = DatasetSpec.Load("xor:noise=0,n=200", 2).Train;
        for (int i = 0; i < d.Count; i++)
            Assert.Equal(d.Features[2 * i] * d.Features[2 * i + 1] < 0 ? 1 : 0, d.Labels[i]);
    }

    [Fact]
    public void UnknownNameListsAcceptedOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetSpec.Load("cifar", 0));
        Assert.Contains("'cifar'", e.Message);
        foreach (var n in new[] { "fashion-mnist", "mnist:DIR", "circles", "moons", "spirals", "blobs", "xor", "csv:PATH" })
            Assert.Contains(n, e.Message);
        Assert.Contains("classes", Assert.Throws<ArgumentException>(() => DatasetSpec.Load("moons:classes=3", 0)).Message);
        Assert.Contains("'many'", Assert.Throws<ArgumentException>(() => DatasetSpec.Load("blobs:n=many", 0)).Message);
        Assert.Contains("'sigma'", Assert.Throws<ArgumentException>(() => DatasetSpec.Load("blobs:sigma=2", 0)).Message);
    }
}
