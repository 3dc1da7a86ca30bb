using System.Numerics;
using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// A classifier's last linear layer and its softmax cross-entropy as one op: z = x·Wᵀ + b, then
    /// <see cref="CrossEntropy(Tensor, int[], Tensor?, double, Reduction, int)"/> of z (class weights, label smoothing,
    /// ignore index and every reduction, with its formulas). Shapes: x [batch, in], W [C, in], b [C] (optional),
    /// targets [batch] → loss ([] for mean and sum, [batch] for none), and the logits z [batch, C] as a by-product
    /// (for accuracy and metrics; not on the graph: the gradient flows through the loss alone).
    /// </summary>
    /// <remarks>
    /// <para>Backward, with G = ∂L/∂z = (∂ℓᵢ/∂z)·∂L/∂ℓ (<see cref="CrossEntropy(Tensor, int[], Tensor?, double, Reduction, int)"/>'s scaling):
    /// ∂L/∂x = G·W [batch, in], ∂L/∂W = Gᵀ·x [C, in], ∂L/∂b = Σ_batch G [C].</para>
    /// <para>Why: the head is narrow (C = 10), so each of its computations, run as separate ops, is too short to be worth
    /// the second core on its own. Here the forward pass is one job over blocks of rows (z = x·Wᵀ + b, then the rows' losses
    /// and ∂ℓᵢ/∂z) and the backward pass one job over blocks of ∂L/∂W's columns, blocks of ∂L/∂x's rows and ∂L/∂b, split over
    /// threads when the pass's products pay for it (see <see cref="HeadJob"/>). Each block calls the very kernels <see cref="Linear(Tensor, Tensor, Tensor?)"/> and the
    /// cross-entropy call (<see cref="IKernels.Gemm{T}(bool, bool, int, int, int, T, ReadOnlySpan{T}, int, ReadOnlySpan{T}, int, T, Span{T}, int, ReadOnlySpan{T}, GemmActivation)"/>,
    /// <see cref="IKernels.SoftmaxCrossEntropy"/>, <see cref="IKernels.ReluMaskColumnSums"/>) on its part of the operands, and
    /// every element's sum runs in the same order as in the whole call, so loss, logits and every gradient are bitwise those of
    /// <c>x.Linear(W, b).CrossEntropy(…)</c>, for any thread count, on both kernel sets. The old planned step's
    /// <c>ClassifierHead</c> did the same in two passes (14.8 → 12.5 µs); docs/benchmarks.md has today's figures.</para>
    /// <para>Nothing falls back: every argument <see cref="CrossEntropy(Tensor, int[], Tensor?, double, Reduction, int)"/>
    /// takes is supported, in float32 and float64. The trainer's step takes this op (through
    /// <see cref="Losses.CrossEntropyLoss"/>) for a <see cref="Nn.Sequential"/> whose last layer is a <see cref="Nn.Linear"/>.</para>
    /// </remarks>
    /// <param name="x">The features x [batch, in].</param>
    /// <param name="weight">W [C, in].</param>
    /// <param name="bias">b [C], or null.</param>
    /// <param name="targets">Class indices in [0, C), one per row, read each time the op runs (a captured step refills them).</param>
    /// <param name="logits">Receives z [batch, C].</param>
    /// <param name="classWeight">Class weights w [C] (a constant), or null for all ones.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <param name="ignoreIndex">A target value to skip.</param>
    internal static Tensor LinearCrossEntropy(this Tensor x, Tensor weight, Tensor? bias, int[] targets, out Tensor logits,
        Tensor? classWeight = null, double labelSmoothing = 0, Reduction reduction = Reduction.Mean, int ignoreIndex = -100)
    {
        CheckLinear(x, weight, bias);
        int n = x.Shape[0], c = weight.Shape[0];
        CheckCrossEntropy([n, c], targets, classWeight, labelSmoothing, ignoreIndex);
        var z = Tensor.Zeros(x.DType, n, c);                                 // [batch, C] logits
        var g = z.ZerosLike();                                               // [batch, C] ∂ℓᵢ/∂z
        var rowLoss = new double[n];                                         // [batch] ℓᵢ
        var rowWeight = new double[n];                                       // [batch] w[yᵢ]
        var denom = new double[1];                                           // Σᵢ w[yᵢ]
        var y = reduction == Reduction.None ? Tensor.Zeros(x.DType, n) : Tensor.Zeros(x.DType);   // [batch] or []
        var cw = classWeight is null ? [] : classWeight.ToArray();           // [C] (a constant)
        HeadJob job = x.DType == DType.Float32
            ? new HeadJob<float>(x, weight, bias, targets, cw, labelSmoothing, ignoreIndex, z, g, rowLoss, rowWeight)
            : new HeadJob<double>(x, weight, bias, targets, cw, labelSmoothing, ignoreIndex, z, g, rowLoss, rowWeight);
        Tape.Run("linear+cross_entropy", () =>
        {
            CheckTargets(targets, c, ignoreIndex);
            job.Forward(KernelProvider.Current);
            ReduceCrossEntropy(rowLoss, rowWeight, reduction, y, denom);
        });
        logits = z;
        bool record = bias is null ? Autograd.ShouldRecord(x, weight) : Autograd.ShouldRecord([x, weight, bias]);
        return record ? Autograd.Record(y, new LinearCrossEntropyNode(x, weight, bias, g, denom, reduction, job)) : y;
    }

    private sealed class LinearCrossEntropyNode(Tensor x, Tensor w, Tensor? b, Tensor g, double[] denom, Reduction reduction, HeadJob job)
        : Node(b is null ? [x, w] : [x, w, b])
    {
        public override string Name => "linear+cross_entropy";

        protected internal override void Backward(Tensor gy)
        {
            var gz = g.ZerosLike();                                          // [batch, C] G = ∂L/∂z
            var gw = Needs(1) ? w.ZerosLike() : null;                        // [C, in]
            var gb = b is not null && Needs(2) ? b.ZerosLike() : null;       // [C]
            var gx = Needs(0) ? x.ZerosLike() : null;                        // [batch, in]
            Tape.Run("linear+cross_entropy backward", () =>
            {
                var k = KernelProvider.Current;
                ScaleCrossEntropyGradient(k, g, gy, denom, reduction, gz);
                job.Backward(k, gz, gx, gw, gb);
            });
            if (gw is not null) AccumulateOwned(w, gw);
            if (gb is not null) AccumulateOwned(b!, gb);
            if (gx is not null) AccumulateOwned(x, gx);
        }
    }

    /// <summary>The head's two jobs on the worker pool (one per pass); element type erased for the op and its node.</summary>
    /// <remarks>
    /// The work is cut into as many parts as threads pay for the pass's products (<see cref="GemmThreads.For"/>, the rule
    /// and measured threshold every GEMM uses; one part, the whole operands, below it): the kernels' results do not depend
    /// on how their operands are cut, within the bounds <see cref="RowBlocks"/> keeps, so the parts only decide who computes
    /// what. Fewer, larger calls spend less on each call's set-up (packing W again, checks).
    /// </remarks>
    private abstract class HeadJob : IParallelJob
    {
        /// <summary>z = x·Wᵀ + b, ℓᵢ, w[yᵢ] and ∂ℓᵢ/∂z, by blocks of rows.</summary>
        public abstract void Forward(IKernels kernels);

        /// <summary>∂L/∂x (by blocks of rows), ∂L/∂W (by blocks of columns) and ∂L/∂b from G; a null gradient is skipped.</summary>
        public abstract void Backward(IKernels kernels, Tensor gz, Tensor? gx, Tensor? gw, Tensor? gb);

        /// <inheritdoc/>
        public abstract void Run(int part);

        /// <summary>
        /// Blocks of rows a part may start at: the cross-entropy kernel's own blocks (<see cref="SoftmaxCrossEntropy.MaxRows"/>
        /// rows from row 0, so its blocks inside a part are those of the whole call), except that a last block of at most
        /// <see cref="GemmSmall.MaxRows"/> rows joins the one before it when the batch is larger: the GEMM takes its
        /// dot-product path for so few rows, whose sums round otherwise than the whole product's.
        /// </summary>
        protected static int RowBlocks(int rows)
        {
            int blocks = (rows + SoftmaxCrossEntropy.MaxRows - 1) / SoftmaxCrossEntropy.MaxRows;
            return blocks > 1 && rows - (blocks - 1) * SoftmaxCrossEntropy.MaxRows <= GemmSmall.MaxRows ? blocks - 1 : blocks;
        }

        /// <summary>Rows [r0, r1) of part <paramref name="part"/> of <paramref name="parts"/>: whole blocks of <see cref="RowBlocks"/>, shared evenly.</summary>
        protected static (int R0, int R1) RowRange(int part, int parts, int rows)
        {
            int blocks = RowBlocks(rows);
            int first = blocks * part / parts, end = blocks * (part + 1) / parts;
            return (first * SoftmaxCrossEntropy.MaxRows, part == parts - 1 ? rows : end * SoftmaxCrossEntropy.MaxRows);
        }

        /// <summary>Columns [c0, c1) of part <paramref name="part"/> of <paramref name="parts"/>, cut at multiples of 16 (whole vectors).</summary>
        protected static (int C0, int C1) ColumnRange(int part, int parts, int columns) =>
            (columns * part / parts / 16 * 16, part == parts - 1 ? columns : columns * (part + 1) / parts / 16 * 16);
    }

    private sealed class HeadJob<T>(Tensor x, Tensor w, Tensor? b, int[] targets, double[] classWeight, double smoothing, int ignoreIndex,
        Tensor z, Tensor g, double[] rowLoss, double[] rowWeight) : HeadJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int _rows = x.Shape[0], _in = x.Shape[1], _classes = w.Shape[0];
        private IKernels _kernels = FastKernels.Instance;   // the caller's (a scoped override is per thread; parts run on workers)
        private bool _backward;
        private int _rowParts, _xParts, _wParts;
        private Tensor? _gz, _gx, _gw, _gb;

        public override void Forward(IKernels kernels)
        {
            int threads = GemmThreads.For((long)_rows * _in * _classes);
            (_kernels, _backward, _rowParts) = (kernels, false, Math.Min(RowBlocks(_rows), threads));
            WorkerPool.Shared.Run(this, _rowParts, threads);
        }

        public override void Backward(IKernels kernels, Tensor gz, Tensor? gx, Tensor? gw, Tensor? gb)
        {
            int threads = GemmThreads.For(((gx is null ? 0L : 1) + (gw is null ? 0 : 1)) * _rows * _in * _classes);
            (_kernels, _backward, _gz, _gx, _gw, _gb) = (kernels, true, gz, gx, gw, gb);
            _rowParts = Math.Min(RowBlocks(_rows), threads);
            _xParts = gx is null ? 0 : _rowParts;
            _wParts = gw is null || _rows == 0 ? 0 : Math.Min(threads, (_in + 15) / 16);
            try { WorkerPool.Shared.Run(this, _wParts + _xParts + (gb is null ? 0 : 1), threads); }
            finally { _gz = _gx = _gw = _gb = null; }
        }

        public override void Run(int part)
        {
            if (!_backward) ForwardRows(part);
            else if (part < _wParts) WeightColumns(part);
            else if (part < _wParts + _xParts) InputRows(part - _wParts);
            else _kernels.ReluMaskColumnSums(_gz!.Span<T>(), default, _rows, _classes, _gb!.Span<T>());   // ∂L/∂b = Σ_batch G
        }

        /// <summary>Rows [r0, r1): z = x·Wᵀ + b (as <see cref="Linear(Tensor, Tensor, Tensor?)"/>), then their cross-entropy.</summary>
        private void ForwardRows(int part)
        {
            var (r0, r1) = RowRange(part, _rowParts, _rows);
            int rows = r1 - r0, n = _in, c = _classes;
            var zr = z.Span<T>().Slice(r0 * c, rows * c);                    // [rows, C]
            _kernels.Gemm(false, true, rows, c, n, T.One, x.Span<T>().Slice(r0 * n, rows * n), n, w.Span<T>(), n, T.Zero, zr, c,
                b is null ? default : b.Span<T>(), GemmActivation.None);
            _kernels.SoftmaxCrossEntropy<T>(zr, targets.AsSpan(r0, rows), c, classWeight, smoothing, ignoreIndex,
                rowLoss.AsSpan(r0, rows), rowWeight.AsSpan(r0, rows), g.Span<T>().Slice(r0 * c, rows * c));
        }

        /// <summary>Rows [r0, r1) of ∂L/∂x = G·W.</summary>
        private void InputRows(int part)
        {
            var (r0, r1) = RowRange(part, _rowParts, _rows);
            int rows = r1 - r0, n = _in, c = _classes;
            _kernels.Gemm(false, false, rows, n, c, T.One, _gz!.Span<T>().Slice(r0 * c, rows * c), c, w.Span<T>(), n, T.Zero,
                _gx!.Span<T>().Slice(r0 * n, rows * n), n);
        }

        /// <summary>Columns [c0, c1) of ∂L/∂W = Gᵀ·x: x and ∂L/∂W read with their full row stride from column c0.</summary>
        private void WeightColumns(int part)
        {
            var (c0, c1) = ColumnRange(part, _wParts, _in);
            int cols = c1 - c0, n = _in, c = _classes;
            _kernels.Gemm(true, false, c, cols, _rows, T.One, _gz!.Span<T>(), c, x.Span<T>().Slice(c0, (_rows - 1) * n + cols), n, T.Zero,
                _gw!.Span<T>().Slice(c0, (c - 1) * n + cols), n);
        }
    }
}
