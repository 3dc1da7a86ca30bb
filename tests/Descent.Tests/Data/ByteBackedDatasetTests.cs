using Descent.Data;

namespace Descent.Tests.Data;

/// <summary>Images held as bytes give bitwise the features of the float path, in every way they are read.</summary>
public class ByteBackedDatasetTests
{
    private static (Dataset Bytes, Dataset Floats) Pair(int n = 50, int d = 12)
    {
        var r = new Rng(4);
        var b = new byte[n * d];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)r.NextInt(256);
        var labels = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var names = new[] { "a", "b", "c" };
        var f = b.Select(v => v / 255f).ToArray();
        return (new Dataset("bytes", b, 255f, labels, [d], names), new Dataset("floats", f, labels, [d], names));
    }

    [Fact]
    public void RowsAndFeaturesEqualTheFloatPath()
    {
        var (b, f) = Pair();
        Assert.True(b.IsByteBacked);
        Assert.Equal(f.Features, b.Features);
        var row = new float[b.FeatureCount];
        b.CopyRow(7, row);
        Assert.Equal(f.Row(7).ToArray(), row);
    }

    [Theory]
    [InlineData(NormalizationMode.Global)]
    [InlineData(NormalizationMode.PerFeature)]
    public void NormalizedViewEqualsNormalizedCopy(NormalizationMode mode)
    {
        var (b, f) = Pair();
        var nb = Normalizer.Fit(b, mode);
        var nf = Normalizer.Fit(f, mode);
        TestSupport.Close(nf.Parameters.Mean, nb.Parameters.Mean, 1e-12, 1e-12, "mean");
        TestSupport.Close(nf.Parameters.Std, nb.Parameters.Std, 1e-12, 1e-12, "std");
        var viewB = nf.Transform(b);     // the same normalizer on both, so the values must agree bitwise
        var copyF = nf.Transform(f);
        Assert.True(viewB.IsByteBacked);
        Assert.Equal(copyF.Features, viewB.Features);
        var sub = viewB.Subset([3, 1, 3]);
        Assert.True(sub.IsByteBacked);
        Assert.Equal(copyF.Subset([3, 1, 3]).Features, sub.Features);
    }

    [Fact]
    public void LoaderGathersTheSameBatches()
    {
        var (b, f) = Pair(64);
        var norm = Normalizer.Fit(f, NormalizationMode.Global);
        var lb = new DataLoader(norm.Transform(b), 16, shuffle: true, seed: 9);
        var lf = new DataLoader(norm.Transform(f), 16, shuffle: true, seed: 9);
        lb.StartEpoch(2); lf.StartEpoch(2);
        while (lf.Next(out var bf))
        {
            Assert.True(lb.Next(out var bb));
            Assert.True(bf.X.BitwiseEquals(bb.X));
            Assert.Equal(bf.Labels, bb.Labels);
        }
    }
}
