using Descent.Kernels;
using Descent.Data;

namespace Descent.Tests.Data;

/// <summary>The mini-batch gather split over threads gives bitwise the rows of the scalar formula, for any thread count.</summary>
[Collection("Threading")]
public class RowGatherTests
{
    [Theory]
    [InlineData(NormalizationMode.Global)]
    [InlineData(NormalizationMode.PerFeature)]
    public void BatchesAreTheScalarFormulaOnOneAndTwoThreads(NormalizationMode mode)
    {
        const int n = 300, d = 784, batch = 128;   // 128 · 784 values: above the parallel threshold
        var r = new Rng(5);
        var bytes = new byte[n * d];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)r.NextInt(256);
        var raw = new Dataset("bytes", bytes, 255f, Enumerable.Range(0, n).Select(i => i % 10).ToArray(), [d],
            Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray());
        var norm = Normalizer.Fit(raw, mode);
        var data = norm.Transform(raw);
        var p = norm.Parameters;
        int saved = Threading.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Threading.MaxThreads = threads;
                var loader = new DataLoader(data, batch, shuffle: true, seed: 3);
                loader.StartEpoch(1);
                while (loader.Next(out var b))
                    for (int k = 0; k < b.Count; k++)
                    {
                        int row = loader.Order[b.Index * batch + k];
                        Assert.Equal(row % 10, b.Labels[k]);
                        for (int j = 0; j < d; j++)
                        {
                            int s = mode == NormalizationMode.Global ? 0 : j;
                            float expected = (bytes[row * d + j] / 255f - (float)p.Mean[s]) * (float)(1.0 / p.Std[s]);
                            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits((float)b.X[k, j]));
                        }
                    }
            }
        }
        finally { Threading.MaxThreads = saved; }
    }
}
