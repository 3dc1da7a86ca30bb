using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Descent.Kernels;

/// <summary>
/// Softmax cross-entropy over the rows of logits z [rows, C], the one kernel behind <see cref="Ops.CrossEntropy(Tensor, int[], Tensor?, double, Reduction, int)"/>.
/// With mᵢ = maxⱼ zᵢⱼ, Sᵢ = Σⱼ e^(zᵢⱼ − mᵢ), pᵢⱼ = e^(zᵢⱼ − mᵢ)/Sᵢ and target weights
/// qᵢⱼ = (1 − ε)·w[yᵢ]·[j = yᵢ] + (ε/C)·w[j] (label smoothing ε, class weights w, all ones when none are given):
/// <code>
///   ℓᵢ = −Σⱼ qᵢⱼ log pᵢⱼ = (Σⱼ qᵢⱼ)·log Sᵢ − Σⱼ qᵢⱼ (zᵢⱼ − mᵢ)      (loss of row i)
///   gᵢⱼ = ∂ℓᵢ/∂zᵢⱼ = pᵢⱼ·Σₖ qᵢₖ − qᵢⱼ                                 (softmax − one-hot, without weights or smoothing)
///   wᵢ = w[yᵢ]                                                     (the row's share of a mean's denominator)
/// </code>
/// Rows whose target is the ignore index get ℓᵢ = 0, wᵢ = 0 and gᵢ = 0.
/// </summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>Rows a call of <see cref="Rows{T}"/> takes at most (its stack buffer); also the fast kernel's block of rows per part.</summary>
    public const int MaxRows = 32;

    /// <summary>Checks the arguments every implementation takes.</summary>
    public static void CheckArguments<T>(ReadOnlySpan<T> z, ReadOnlySpan<int> targets, int classes, ReadOnlySpan<double> weight,
        Span<double> rowLoss, Span<double> rowWeight, Span<T> g)
    {
        int rows = targets.Length;
        Check.SameLength(z.Length, rows * classes, "SoftmaxCrossEntropy");
        Check.SameLength(g.Length, z.Length, "SoftmaxCrossEntropy");
        Check.SameLength(rowLoss.Length, rows, "SoftmaxCrossEntropy");
        Check.SameLength(rowWeight.Length, rows, "SoftmaxCrossEntropy");
        if (!weight.IsEmpty) Check.SameLength(weight.Length, classes, "SoftmaxCrossEntropy");
    }

    /// <summary>The scalar definition, in float64 (the reference kernel).</summary>
    public static void Reference<T>(ReadOnlySpan<T> z, ReadOnlySpan<int> targets, int classes, ReadOnlySpan<double> weight, double smoothing,
        int ignoreIndex, Span<double> rowLoss, Span<double> rowWeight, Span<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double wSum = WeightSum(weight, classes), eps = smoothing, c = classes;
        for (int i = 0; i < targets.Length; i++)
        {
            var zr = z.Slice(i * classes, classes);
            var gr = g.Slice(i * classes, classes);
            int y = targets[i];
            if (y == ignoreIndex) { rowLoss[i] = 0; rowWeight[i] = 0; gr.Clear(); continue; }
            CheckTarget(y, i, classes);
            double m = double.NegativeInfinity;
            for (int j = 0; j < classes; j++) m = Math.Max(m, double.CreateTruncating(zr[j]));
            double s = 0;
            for (int j = 0; j < classes; j++) s += Math.Exp(double.CreateTruncating(zr[j]) - m);
            double wy = weight.IsEmpty ? 1 : weight[y], qSum = (1 - eps) * wy + eps / c * wSum, logS = Math.Log(s), dot = 0;
            for (int j = 0; j < classes; j++)
            {
                double d = double.CreateTruncating(zr[j]) - m;
                double q = eps / c * (weight.IsEmpty ? 1 : weight[j]) + (j == y ? (1 - eps) * wy : 0);
                dot += q * d;
                gr[j] = T.CreateTruncating(Math.Exp(d) / s * qSum - q);
            }
            rowLoss[i] = qSum * logS - dot;
            rowWeight[i] = wy;
        }
    }

    /// <summary>
    /// The same for rows [r0, r1) (at most <see cref="MaxRows"/>), fast: the exponentials of the rows in one vector call,
    /// their logarithms in another; the sums Sᵢ and the loss in float64.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows<T>(IKernels kernels, ReadOnlySpan<T> z, ReadOnlySpan<int> targets, int classes, ReadOnlySpan<double> weight, double smoothing,
        int ignoreIndex, int r0, int r1, Span<double> rowLoss, Span<double> rowWeight, Span<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = r1 - r0;
        var zb = z.Slice(r0 * classes, n * classes);
        var gb = g.Slice(r0 * classes, n * classes);
        Span<double> sums = stackalloc double[MaxRows], maxes = stackalloc double[MaxRows];
        for (int i = 0; i < n; i++)
        {
            var zr = zb.Slice(i * classes, classes);
            var gr = gb.Slice(i * classes, classes);
            T m = TensorPrimitives.Max(zr);
            maxes[i] = double.CreateTruncating(m);
            TensorPrimitives.Subtract(zr, m, gr);                              // z − m
        }
        kernels.Unary(new Ops.ExpOp(), (ReadOnlySpan<T>)gb, gb);                 // e = exp(z − m), the rows at once
        for (int i = 0; i < n; i++)
        {
            var gr = gb.Slice(i * classes, classes);
            double s = 0;
            for (int j = 0; j < classes; j++) s += double.CreateTruncating(gr[j]);
            sums[i] = s;
        }
        Span<double> logs = stackalloc double[MaxRows];
        logs = logs[..n];
        TensorPrimitives.Log(sums[..n], logs);                                  // log Sᵢ, the rows at once
        double wSum = WeightSum(weight, classes), eps = smoothing, c = classes;
        for (int i = 0; i < n; i++)
        {
            int row = r0 + i, y = targets[row];
            var zr = zb.Slice(i * classes, classes);
            var gr = gb.Slice(i * classes, classes);
            if (y == ignoreIndex) { rowLoss[row] = 0; rowWeight[row] = 0; gr.Clear(); continue; }
            CheckTarget(y, row, classes);
            double m = maxes[i];
            double wy = weight.IsEmpty ? 1 : weight[y], qSum = (1 - eps) * wy + eps / c * wSum;
            T scale = T.CreateTruncating(qSum / sums[i]);
            TensorPrimitives.Multiply(gr, scale, gr);                           // p·Σq
            double dot = (1 - eps) * wy * (double.CreateTruncating(zr[y]) - m);
            gr[y] -= T.CreateTruncating((1 - eps) * wy);
            if (eps > 0)
                for (int j = 0; j < classes; j++)
                {
                    double q = eps / c * (weight.IsEmpty ? 1 : weight[j]);
                    dot += q * (double.CreateTruncating(zr[j]) - m);
                    gr[j] -= T.CreateTruncating(q);
                }
            rowLoss[row] = qSum * logs[i] - dot;
            rowWeight[row] = wy;
        }
    }

    private static double WeightSum(ReadOnlySpan<double> weight, int classes)
    {
        if (weight.IsEmpty) return classes;
        double s = 0;
        foreach (double w in weight) s += w;
        return s;
    }

    private static void CheckTarget(int y, int row, int classes)
    {
        if ((uint)y >= (uint)classes) throw new IndexOutOfRangeException($"cross_entropy: target {y} in row {row} is outside [0, {classes}).");
    }
}

/// <summary>
/// The fast softmax cross-entropy on the worker pool: blocks of <see cref="SoftmaxCrossEntropy.MaxRows"/> rows (the split
/// depends on the row count alone, and every row is computed by one thread), so the bits do not depend on the thread count.
/// </summary>
internal sealed unsafe class SoftmaxCrossEntropyJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static SoftmaxCrossEntropyJob<T>? _current;
    private T* _z, _g;
    private int* _targets;
    private double* _weight, _rowLoss, _rowWeight;
    private int _rows, _classes, _weights, _ignore;
    private double _smoothing;
    private IKernels _kernels = FastKernels.Instance;   // the caller's (a scoped override is per thread; parts run on workers)

    public static SoftmaxCrossEntropyJob<T> ForThisThread() => _current ??= new SoftmaxCrossEntropyJob<T>();

    public void Run(IKernels kernels, ReadOnlySpan<T> z, ReadOnlySpan<int> targets, int classes, ReadOnlySpan<double> weight, double smoothing,
        int ignoreIndex, Span<double> rowLoss, Span<double> rowWeight, Span<T> g)
    {
        int rows = targets.Length, parts = (rows + SoftmaxCrossEntropy.MaxRows - 1) / SoftmaxCrossEntropy.MaxRows;
        if (parts == 0) return;
        fixed (T* pz = z, pg = g)
        fixed (int* pt = targets)
        fixed (double* pw = weight, pl = rowLoss, prw = rowWeight)
        {
            _z = pz; _g = pg; _targets = pt; _weight = pw; _rowLoss = pl; _rowWeight = prw;
            (_rows, _classes, _weights, _ignore, _smoothing, _kernels) = (rows, classes, weight.Length, ignoreIndex, smoothing, kernels);
            try { WorkerPool.Shared.Run(this, parts, Threading.MaxThreads); }
            finally { _z = _g = null; _targets = null; _weight = _rowLoss = _rowWeight = null; }
        }
    }

    public void Run(int part)
    {
        int r0 = part * SoftmaxCrossEntropy.MaxRows, r1 = Math.Min(_rows, r0 + SoftmaxCrossEntropy.MaxRows);
        int n = _rows * _classes;
        SoftmaxCrossEntropy.Rows(_kernels, new ReadOnlySpan<T>(_z, n), new ReadOnlySpan<int>(_targets, _rows), _classes,
            new ReadOnlySpan<double>(_weight, _weights), _smoothing, _ignore, r0, r1, new Span<double>(_rowLoss, _rows),
            new Span<double>(_rowWeight, _rows), new Span<T>(_g, n));
    }
}
