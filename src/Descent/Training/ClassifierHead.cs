using System.Numerics;
using Descent.Kernels;
using System.Runtime.CompilerServices;

namespace Descent.Training;

/// <summary>
/// The rows of a softmax cross-entropy, shared by <see cref="SoftmaxCrossEntropyJob{T}"/> and <see cref="ClassifierHeadJob{T}"/>:
/// for rows [r0, r1) of z [batch, classes], with mᵢ = max_j z[i, j], eᵢⱼ = exp(z[i, j] − mᵢ) and Sᵢ = Σⱼ eᵢⱼ, writes
/// gz = (e/S − onehot(y)) / batch and lossᵢ = log Sᵢ − (z[i, yᵢ] − mᵢ) (float64), and returns the rows whose arg max is yᵢ.
/// </summary>
internal static unsafe class SoftmaxCrossEntropyRows
{
    /// <summary>Most rows a call takes (its stack buffer).</summary>
    public const int MaxRows = 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Run<T>(IKernels kernels, T* zp, T* gzp, int* labels, int r0, int r1, int classes, int batch, Span<double> rowLoss)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var z = new ReadOnlySpan<T>(zp + (long)r0 * classes, (r1 - r0) * classes);
        var gz = new Span<T>(gzp + (long)r0 * classes, (r1 - r0) * classes);
        int correct = 0;
        for (int i = 0; i < r1 - r0; i++)
        {
            int y = labels[r0 + i];
            var zr = z.Slice(i * classes, classes);
            var gr = gz.Slice(i * classes, classes);
            int arg = 0;                                   // arg max: the first largest (a NaN row diverges anyway)
            for (int j = 1; j < zr.Length; j++) if (zr[j] > zr[arg]) arg = j;
            if (arg == y) correct++;
            T max = zr[arg];
            for (int j = 0; j < zr.Length; j++) gr[j] = zr[j] - max;
            rowLoss[r0 + i] = -double.CreateTruncating(gr[y]);  // −(z[i, yᵢ] − mᵢ)
        }
        kernels.Unary(new Ops.ExpOp(), (ReadOnlySpan<T>)gz, gz);   // e = exp(z − m), the rows at once
        T invB = T.One / T.CreateTruncating(batch);
        Span<double> sums = stackalloc double[MaxRows];
        for (int i = 0; i < r1 - r0; i++)
        {
            int y = labels[r0 + i];
            var gr = gz.Slice(i * classes, classes);
            T sum = T.Zero;
            for (int j = 0; j < gr.Length; j++) sum += gr[j];
            sums[i] = double.CreateTruncating(sum);
            T scale = invB / sum;                          // ∂L/∂z = (e/S − onehot)/B
            for (int j = 0; j < gr.Length; j++) gr[j] *= scale;
            gr[y] -= invB;
        }
        var logs = sums[..(r1 - r0)];
        System.Numerics.Tensors.TensorPrimitives.Log(logs, logs);   // log Sᵢ, the rows at once
        for (int i = 0; i < logs.Length; i++) rowLoss[r0 + i] += logs[i];
        return correct;
    }
}

/// <summary>
/// The row blocks of <see cref="StepPlan.SoftmaxCrossEntropy{T}"/> on the worker pool: blocks of
/// <see cref="SoftmaxCrossEntropyRows.MaxRows"/> rows (the split depends on the batch alone); the per-row losses are
/// summed in row order, so the bits do not depend on the thread count.
/// </summary>
internal sealed unsafe class SoftmaxCrossEntropyJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static SoftmaxCrossEntropyJob<T>? _current;
    private double[] _rowLoss = [];   // [batch]
    private int[] _correct = [];      // [parts]
    private T* _z, _gz;
    private int* _labels;
    private int _batch, _classes;
    private IKernels _kernels = FastKernels.Instance;   // the caller's (a scoped override is per thread; parts run on workers)

    public static SoftmaxCrossEntropyJob<T> ForThisThread() => _current ??= new SoftmaxCrossEntropyJob<T>();

    public (double Loss, int Correct) Run(ReadOnlySpan<T> z, ReadOnlySpan<int> labels, int classes, Span<T> gz)
    {
        int batch = labels.Length, parts = Math.Max(1, (batch + SoftmaxCrossEntropyRows.MaxRows - 1) / SoftmaxCrossEntropyRows.MaxRows);
        if (_rowLoss.Length < batch) _rowLoss = new double[batch];
        if (_correct.Length < parts) _correct = new int[parts];
        fixed (T* pz = z, pg = gz)
        fixed (int* pl = labels)
        {
            _z = pz; _gz = pg; _labels = pl; _batch = batch; _classes = classes; _kernels = KernelProvider.Current;
            WorkerPool.Shared.Run(this, parts, Threading.MaxThreads);
            _z = _gz = null; _labels = null;
        }
        return ClassifierHeadJob<T>.Total(_rowLoss, batch, _correct, parts);
    }

    public void Run(int part)
    {
        int r0 = part * SoftmaxCrossEntropyRows.MaxRows, r1 = Math.Min(_batch, r0 + SoftmaxCrossEntropyRows.MaxRows);
        _correct[part] = SoftmaxCrossEntropyRows.Run(_kernels, _z, _gz, _labels, r0, r1, _classes, _batch, _rowLoss);
    }
}

/// <summary>
/// A classifier's last layer and its loss as one job: z = x·Wᵀ + b, softmax cross-entropy, ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x and
/// ∂L/∂b = Σ G, with x [batch, in], W [classes, in], z and G = ∂L/∂z [batch, classes]. The layer is small (10 classes):
/// run as separate calls, each of its five steps is too short to be worth a second thread, and they leave one core idle.
/// Here two passes over the worker pool do it all: first, for each block of rows, the forward product, the loss and ∂L/∂x
/// of those rows; then ∂L/∂W by blocks of columns, and ∂L/∂b. Every element is computed by the same kernel calls, in the
/// same order, as the unfused layer and loss would compute it, so the bits are the same (and independent of threads).
/// </summary>
internal sealed unsafe class ClassifierHeadJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Columns of ∂L/∂W per part of the second pass.</summary>
    private const int ColumnsPerPart = 64;

    [ThreadStatic] private static ClassifierHeadJob<T>? _current;
    private double[] _rowLoss = [];
    private int[] _correct = [];
    private T* _x, _w, _b, _z, _gz, _gx, _gw, _gb;
    private int* _labels;
    private int _batch, _in, _classes, _rowParts;
    private bool _second;
    private IKernels _kernels = FastKernels.Instance;

    public static ClassifierHeadJob<T> ForThisThread() => _current ??= new ClassifierHeadJob<T>();

    /// <summary>
    /// Runs the head: x [batch, in], w [classes, in], b [classes] (or empty), labels [batch]; writes z, gz [batch, classes],
    /// gx [batch, in] (skipped when empty), gw [classes, in] and gb [classes] (when b is given). Returns (mean loss, correct).
    /// </summary>
    public (double Loss, int Correct) Run(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, ReadOnlySpan<int> labels, int inWidth, int classes,
        Span<T> z, Span<T> gz, Span<T> gx, Span<T> gw, Span<T> gb)
    {
        int batch = labels.Length;
        _rowParts = Math.Max(1, (batch + SoftmaxCrossEntropyRows.MaxRows - 1) / SoftmaxCrossEntropyRows.MaxRows);
        if (_rowLoss.Length < batch) _rowLoss = new double[batch];
        if (_correct.Length < _rowParts) _correct = new int[_rowParts];
        fixed (T* px = x, pw = w, pb = b, pz = z, pgz = gz, pgx = gx, pgw = gw, pgb = gb)
        fixed (int* pl = labels)
        {
            _x = px; _w = pw; _b = b.IsEmpty ? null : pb; _z = pz; _gz = pgz; _gx = gx.IsEmpty ? null : pgx; _gw = pgw; _gb = gb.IsEmpty ? null : pgb;
            _labels = pl; _batch = batch; _in = inWidth; _classes = classes; _kernels = KernelProvider.Current;
            _second = false;
            WorkerPool.Shared.Run(this, _rowParts, Threading.MaxThreads);
            _second = true;
            WorkerPool.Shared.Run(this, (inWidth + ColumnsPerPart - 1) / ColumnsPerPart, Threading.MaxThreads);
            _x = _w = _b = _z = _gz = _gx = _gw = _gb = null; _labels = null;
        }
        return Total(_rowLoss, batch, _correct, _rowParts);
    }

    /// <summary>The mean of the per-row losses, summed in row order, and the correct rows.</summary>
    internal static (double Loss, int Correct) Total(double[] rowLoss, int batch, int[] correct, int parts)
    {
        double loss = 0;
        int hits = 0;
        for (int i = 0; i < batch; i++) loss += rowLoss[i];   // row order: the same sum for any thread count
        for (int p = 0; p < parts; p++) hits += correct[p];
        return (loss / batch, hits);
    }

    public void Run(int part)
    {
        int n = _in, c = _classes;
        if (!_second)
        {
            // Rows [r0, r1): z = x·Wᵀ + b, the loss and G, then ∂L/∂x = G·W.
            int r0 = part * SoftmaxCrossEntropyRows.MaxRows, r1 = Math.Min(_batch, r0 + SoftmaxCrossEntropyRows.MaxRows), rows = r1 - r0;
            var xr = new ReadOnlySpan<T>(_x + (long)r0 * n, rows * n);
            var zr = new Span<T>(_z + (long)r0 * c, rows * c);
            var w = new ReadOnlySpan<T>(_w, c * n);
            _kernels.Gemm(false, true, rows, c, n, T.One, xr, n, w, n, T.Zero, zr, c, _b == null ? default : new ReadOnlySpan<T>(_b, c), GemmActivation.None);
            _correct[part] = SoftmaxCrossEntropyRows.Run(_kernels, _z, _gz, _labels, r0, r1, c, _batch, _rowLoss);
            if (_gx != null)
                _kernels.Gemm(false, false, rows, n, c, T.One, new ReadOnlySpan<T>(_gz + (long)r0 * c, rows * c), c, w, n, T.Zero,
                    new Span<T>(_gx + (long)r0 * n, rows * n), n);
            return;
        }
        // Columns [c0, c1) of ∂L/∂W = Gᵀ·x; the first part also sums ∂L/∂b = Σ_rows G.
        int c0 = part * ColumnsPerPart, c1 = Math.Min(n, c0 + ColumnsPerPart);
        var g = new ReadOnlySpan<T>(_gz, _batch * c);
        _kernels.Gemm(true, false, c, c1 - c0, _batch, T.One, g, c, new ReadOnlySpan<T>(_x + c0, (_batch - 1) * n + (c1 - c0)), n, T.Zero,
            new Span<T>(_gw + c0, (c - 1) * n + (c1 - c0)), n);
        if (part == 0 && _gb != null) _kernels.ReluMaskColumnSums(new Span<T>(_gz, _batch * c), default, _batch, c, new Span<T>(_gb, c));
    }
}
