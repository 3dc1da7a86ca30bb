using System.Numerics;
using Descent.Kernels;

namespace Descent.Tests.Kernels;

/// <summary>
/// The fast log-softmax computes (x − max) − log Σ, as the reference does, not x − (max + log Σ), which rounds
/// max + log Σ first and loses up to half an ulp of the largest logit (issue 17, item 11).
/// </summary>
public class LogSoftmaxExactnessTests
{
    /// <summary>
    /// Rows whose exponentials are exact (each entry is the row's max, where exp(0) = 1, or 1000 below it, where
    /// exp underflows to 0): both kernels then see the same Σ = count of maxima, and must give the same bits.
    /// </summary>
    private static void FastEqualsReferenceBitwise<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(17);
        const int rows = 64, cols = 13;
        var x = new T[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double max = 1000.3 + 37.1 * r + rng.NextDouble();   // a large max: its ulp is coarse
            for (int j = 0; j < cols; j++) x[r * cols + j] = T.CreateTruncating(rng.NextDouble() < 0.4 || j == r % cols ? max : max - 1000 - rng.NextDouble());
        }
        T[] fast = new T[x.Length], reference = new T[x.Length];
        FastKernels.Instance.LogSoftmax<T>(x, rows, cols, fast);
        ReferenceKernels.Instance.LogSoftmax<T>(x, rows, cols, reference);
        for (int i = 0; i < x.Length; i++)
            Assert.True(fast[i].Equals(reference[i]), $"{typeof(T).Name} element {i}: fast {fast[i]}, reference {reference[i]}");
        // At a row's max the answer is −log(count of maxima) exactly: no trace of the max's rounding.
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * cols, cols);
            T max = row[0];
            int count = 0;
            foreach (var v in row) max = T.Max(max, v);
            foreach (var v in row) if (v == max) count++;
            int at = row.IndexOf(max);
            Assert.Equal(-T.Log(T.CreateTruncating(count)), fast[r * cols + at]);
        }
    }

    /// <summary>Any rows: the fast kernel does the reference's arithmetic (only the subtractions are vectorized).</summary>
    private static void RandomRowsBitwise<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(5);
        foreach (var (rows, cols) in new[] { (1, 1), (50, 10), (7, 37), (3, 300) })
        {
            var x = new T[rows * cols];
            for (int i = 0; i < x.Length; i++) x[i] = T.CreateTruncating(rng.NextNormal() * 10 + 500);
            T[] fast = new T[x.Length], reference = new T[x.Length];
            FastKernels.Instance.LogSoftmax<T>(x, rows, cols, fast);
            ReferenceKernels.Instance.LogSoftmax<T>(x, rows, cols, reference);
            Assert.Equal(reference, fast);
        }
    }

    [Fact] public void FloatRandomRowsBitwise() => RandomRowsBitwise<float>();
    [Fact] public void DoubleRandomRowsBitwise() => RandomRowsBitwise<double>();

    [Fact] public void FloatFastEqualsReferenceBitwise() => FastEqualsReferenceBitwise<float>();
    [Fact] public void DoubleFastEqualsReferenceBitwise() => FastEqualsReferenceBitwise<double>();
}
