using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// Cross-entropy on logits z [batch, C] with integer targets, fused (log-softmax + negative log-likelihood), as
    /// PyTorch's <c>F.cross_entropy(z, y, weight, ignore_index, reduction, label_smoothing)</c>.
    /// With log pᵢⱼ = zᵢⱼ − log Σₖ e^(zᵢₖ) and target weights qᵢⱼ = (1 − ε)·w[yᵢ]·[j = yᵢ] + (ε/C)·w[j]:
    /// ℓᵢ = −Σⱼ qᵢⱼ log pᵢⱼ; mean = Σᵢ ℓᵢ / Σᵢ w[yᵢ] (= / batch without weights), sum = Σᵢ ℓᵢ, none = ℓ [batch].
    /// Backward: ∂ℓᵢ/∂zᵢₖ = pᵢₖ·Σⱼ qᵢⱼ − qᵢₖ, i.e. (softmax − onehot)/batch for the plain mean.
    /// Rows whose target is <paramref name="ignoreIndex"/> contribute nothing (and are left out of the mean's denominator).
    /// The rows' losses and gradients come from one kernel (<see cref="IKernels.SoftmaxCrossEntropy"/>) in the forward
    /// pass; backward scales the saved gradient by ∂L/∂ℓ.
    /// </summary>
    /// <param name="logits">z [batch, C].</param>
    /// <param name="targets">Class indices in [0, C), one per row.</param>
    /// <param name="weight">Class weights w [C] (a constant), or null for all ones.</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the target becomes (1 − ε)·onehot + ε/C.</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <param name="ignoreIndex">A target value to skip (PyTorch's default −100).</param>
    public static Tensor CrossEntropy(this Tensor logits, ReadOnlySpan<int> targets, Tensor? weight = null, double labelSmoothing = 0,
        Reduction reduction = Reduction.Mean, int ignoreIndex = -100) =>
        CrossEntropy(logits, targets.ToArray(), weight, labelSmoothing, reduction, ignoreIndex);

    /// <summary>
    /// As <see cref="CrossEntropy(Tensor, ReadOnlySpan{int}, Tensor?, double, Reduction, int)"/>, reading
    /// <paramref name="targets"/> each time the op runs (a captured step refills its labels array between steps).
    /// </summary>
    public static Tensor CrossEntropy(this Tensor logits, int[] targets, Tensor? weight = null, double labelSmoothing = 0,
        Reduction reduction = Reduction.Mean, int ignoreIndex = -100)
    {
        CheckCrossEntropy(logits.Shape, targets, weight, labelSmoothing, ignoreIndex);
        int n = logits.Shape[0], c = logits.Shape[1];
        var w = weight is null ? [] : weight.ToArray();                     // [C] (a constant)
        var g = logits.ZerosLike();                                          // [batch, C] ∂ℓᵢ/∂z
        var rowLoss = new double[n];                                         // [batch] ℓᵢ
        var rowWeight = new double[n];                                       // [batch] w[yᵢ]
        var denom = new double[1];                                           // Σᵢ w[yᵢ] (the mean's denominator)
        var y = reduction == Reduction.None ? Tensor.Zeros(logits.DType, n) : Tensor.Zeros(logits.DType);   // [batch] or []
        Tape.Run("cross_entropy", () =>
        {
            var k = KernelProvider.Current;
            if (logits.DType == DType.Float32) k.SoftmaxCrossEntropy<float>(logits.Floats, targets, c, w, labelSmoothing, ignoreIndex, rowLoss, rowWeight, g.Floats);
            else k.SoftmaxCrossEntropy<double>(logits.Doubles, targets, c, w, labelSmoothing, ignoreIndex, rowLoss, rowWeight, g.Doubles);
            ReduceCrossEntropy(rowLoss, rowWeight, reduction, y, denom);
        });
        return Autograd.ShouldRecord(logits) ? Autograd.Record(y, new CrossEntropyNode(logits, g, denom, reduction)) : y;
    }

    private sealed class CrossEntropyNode(Tensor z, Tensor g, double[] denom, Reduction reduction) : Node(z)
    {
        public override string Name => "cross_entropy";

        protected internal override void Backward(Tensor gy)
        {
            var gz = z.ZerosLike();                                          // [batch, C]
            Tape.Run("cross_entropy backward", () => ScaleCrossEntropyGradient(KernelProvider.Current, g, gy, denom, reduction, gz));
            AccumulateOwned(z, gz);
        }
    }

    /// <summary>The checks of a cross-entropy's arguments, for logits of shape <paramref name="logits"/> [batch, C] (the message names the bad value).</summary>
    private static void CheckCrossEntropy(ReadOnlySpan<int> logits, int[] targets, Tensor? weight, double labelSmoothing, int ignoreIndex)
    {
        if (logits.Length != 2 || logits[0] != targets.Length)
            throw new ShapeException($"cross_entropy: needs logits [batch, classes] and one target per row; got logits {Shape.Format(logits)} and {targets.Length} targets.");
        int c = logits[1];
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentException($"cross_entropy: label smoothing must be in [0, 1], got {labelSmoothing}.");
        if (weight is not null && (weight.Rank != 1 || weight.Shape[0] != c))
            throw new ShapeException($"cross_entropy: class weights {Shape.Format(weight.Shape)} do not fit {c} classes (expected [{c}]).");
        CheckTargets(targets, c, ignoreIndex);
    }

    /// <summary>Every target is a class in [0, C) or the ignore index (checked on the calling thread: a worker thread must not throw).</summary>
    private static void CheckTargets(int[] targets, int classes, int ignoreIndex)
    {
        for (int i = 0; i < targets.Length; i++)
            if (targets[i] != ignoreIndex && (uint)targets[i] >= (uint)classes)
                throw new IndexOutOfRangeException($"cross_entropy: target {targets[i]} in row {i} is outside [0, {classes}).");
    }

    /// <summary>
    /// The reduction of the rows' losses ℓᵢ and weights w[yᵢ] [batch] into y ([batch] for none, [] otherwise), summed in row
    /// order (the same sum for any thread count); the mean's denominator Σᵢ w[yᵢ] goes to <paramref name="denom"/>[0].
    /// </summary>
    private static void ReduceCrossEntropy(double[] rowLoss, double[] rowWeight, Reduction reduction, Tensor y, double[] denom)
    {
        int n = rowLoss.Length;
        double s = 0, d = 0;
        for (int i = 0; i < n; i++) { s += rowLoss[i]; d += rowWeight[i]; }
        denom[0] = d;
        if (reduction == Reduction.None) for (int i = 0; i < n; i++) y[i] = rowLoss[i];
        else y[0] = reduction == Reduction.Mean ? s / d : s;
    }

    /// <summary>
    /// ∂L/∂z [batch, C] from the saved ∂ℓᵢ/∂z (g) and ∂L/∂y (gy): gz = g·gy/Σᵢ w[yᵢ] for the mean, g·gy for the sum,
    /// row i times gy[i] for none.
    /// </summary>
    private static void ScaleCrossEntropyGradient(IKernels k, Tensor g, Tensor gy, double[] denom, Reduction reduction, Tensor gz)
    {
        int c = g.Shape[1];
        if (reduction == Reduction.None)
        {
            for (int i = 0; i < g.Shape[0]; i++)
                if (g.DType == DType.Float32) k.Binary(new MulOp(), (ReadOnlySpan<float>)g.Floats.Slice(i * c, c), gy.Floats[i], gz.Floats.Slice(i * c, c));
                else k.Binary(new MulOp(), (ReadOnlySpan<double>)g.Doubles.Slice(i * c, c), gy.Doubles[i], gz.Doubles.Slice(i * c, c));
            return;
        }
        double s = gy[0] / (reduction == Reduction.Mean ? denom[0] : 1);
        if (g.DType == DType.Float32) k.Binary(new MulOp(), (ReadOnlySpan<float>)g.Floats, (float)s, gz.Floats);
        else k.Binary(new MulOp(), (ReadOnlySpan<double>)g.Doubles, s, gz.Doubles);
    }
}
