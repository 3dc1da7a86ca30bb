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
        if (logits.Rank != 2 || logits.Shape[0] != targets.Length)
            throw new ShapeException($"cross_entropy: needs logits [batch, classes] and one target per row; got logits {Shape.Format(logits.Shape)} and {targets.Length} targets.");
        int n = logits.Shape[0], c = logits.Shape[1];
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentException($"cross_entropy: label smoothing must be in [0, 1], got {labelSmoothing}.");
        if (weight is not null && (weight.Rank != 1 || weight.Shape[0] != c))
            throw new ShapeException($"cross_entropy: class weights {Shape.Format(weight.Shape)} do not fit {c} classes (expected [{c}]).");
        for (int i = 0; i < n; i++)
            if (targets[i] != ignoreIndex && (uint)targets[i] >= (uint)c)
                throw new IndexOutOfRangeException($"cross_entropy: target {targets[i]} in row {i} is outside [0, {c}).");
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
            double s = 0, d = 0;
            for (int i = 0; i < n; i++) { s += rowLoss[i]; d += rowWeight[i]; }   // row order: the same sum for any thread count
            denom[0] = d;
            if (reduction == Reduction.None) for (int i = 0; i < n; i++) y[i] = rowLoss[i];
            else y[0] = reduction == Reduction.Mean ? s / d : s;
        });
        return Autograd.ShouldRecord(logits) ? Autograd.Record(y, new CrossEntropyNode(logits, g, denom, reduction)) : y;
    }

    private sealed class CrossEntropyNode(Tensor z, Tensor g, double[] denom, Reduction reduction) : Node(z)
    {
        public override string Name => "cross_entropy";

        protected internal override void Backward(Tensor gy)
        {
            var gz = z.ZerosLike();                                          // [batch, C]
            int c = z.Shape[1];
            Tape.Run("cross_entropy backward", () =>
            {
                var k = KernelProvider.Current;
                if (reduction == Reduction.None)
                {
                    for (int i = 0; i < z.Shape[0]; i++)
                        if (z.DType == DType.Float32) k.Binary(new MulOp(), (ReadOnlySpan<float>)g.Floats.Slice(i * c, c), gy.Floats[i], gz.Floats.Slice(i * c, c));
                        else k.Binary(new MulOp(), (ReadOnlySpan<double>)g.Doubles.Slice(i * c, c), gy.Doubles[i], gz.Doubles.Slice(i * c, c));
                    return;
                }
                double s = gy[0] / (reduction == Reduction.Mean ? denom[0] : 1);
                if (z.DType == DType.Float32) k.Binary(new MulOp(), (ReadOnlySpan<float>)g.Floats, (float)s, gz.Floats);
                else k.Binary(new MulOp(), (ReadOnlySpan<double>)g.Doubles, s, gz.Doubles);
            });
            AccumulateOwned(z, gz);
        }
    }
}
