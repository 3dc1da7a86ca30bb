using Descent.Data;

namespace Descent.Tests.Data;

public class NormalizerTests
{
    private static Dataset Make(float[] x, int d) =>
        new("t", x, new int[x.Length / d], [d], ["a"]);

    [Fact]
    public void PerFeatureGivesZeroMeanUnitStdOnTrain()
    {
        var train = Make([1, 10, 2, 20, 3, 30, 4, 40], 2);
        var norm = Normalizer.Fit(train);
        Assert.Equal([2.5, 25], norm.Parameters.Mean);
        Assert.Equal(Math.Sqrt(1.25), norm.Parameters.Std[0], 12);
        var t = norm.Transform(train);
        for (int j = 0; j < 2; j++)
        {
            var col = Enumerable.Range(0, 4).Select(i => (double)t.Features[i * 2 + j]).ToArray();
            Assert.Equal(0, col.Average(), 6);
            Assert.Equal(1, Math.Sqrt(col.Select(v => v * v).Average()), 6);
        }
        Assert.Equal([1, 10, 2, 20, 3, 30, 4, 40], train.Features); // the training set itself is untouched
    }

    [Fact]
    public void ByteHistogramCountsEveryByteOnce()
    {
        // Runs of equal bytes (an image's background), every value, and lengths and offsets that are not whole words.
        var rng = new Random(7);
        var bytes = new byte[10_007];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = i % 100 < 60 ? (byte)0 : (byte)rng.Next(256);
        foreach (var (start, length) in new[] { (0, 0), (0, 3), (1, 6), (3, 9), (0, 10_007), (5, 10_000) })
        {
            var span = bytes.AsSpan(start, length);
            var expected = new long[256];
            foreach (byte b in span) expected[b]++;
            Assert.Equal(expected, Normalizer.Histogram(span));
        }
    }

    [Fact]
    public void TestDataUsesTrainStatistics()
    {
        var train = Make([0, 2], 1);
        var test = Make([4], 1);
        var norm = Normalizer.Fit(train);
        Assert.Equal(3f, norm.Transform(test).Features[0]); // (4 − 1)/1, not (4 − 4)/…
    }

    [Fact]
    public void GlobalPoolsAllFeaturesAndConstantFeatureIsOnlyCentred()
    {
        var train = Make([0, 4, 0, 4], 2);
        var g = Normalizer.Fit(train, NormalizationMode.Global);
        Assert.Equal([2.0], g.Parameters.Mean);
        Assert.Equal([2.0], g.Parameters.Std);
        var p = Normalizer.Fit(train);
        Assert.Equal([1.0, 1.0], p.Parameters.Std); // σ = 0 → 1
        Assert.Equal([0f, 0, 0, 0], p.Transform(train).Features);
    }

    [Fact]
    public void StateRoundTripsAndIsChecked()
    {
        var norm = Normalizer.Fit(Make([1, 5, 2, 7, 9, 1], 2));
        var again = Normalizer.FromState(norm.Parameters with { });
        var x = new float[] { 3, 3, 8, 8 };
        var y = (float[])x.Clone();
        norm.Apply(x, 2);
        again.Apply(y, 2);
        Assert.Equal(x, y);
        string json = System.Text.Json.JsonSerializer.Serialize(norm.Parameters);
        Assert.Contains("\"PerFeature\"", json);
        var fromJson = Normalizer.FromState(System.Text.Json.JsonSerializer.Deserialize<Normalizer.State>(json)!);
        Assert.Equal(norm.Parameters.Mean, fromJson.Parameters.Mean);
        Assert.Equal(norm.Parameters.Std, fromJson.Parameters.Std);
        Assert.Throws<ArgumentException>(() => Normalizer.FromState(new Normalizer.State(NormalizationMode.PerFeature, [0, 0], [1, 0])));
        Assert.Throws<ShapeException>(() => norm.Apply(new float[3], 3));
    }
}
