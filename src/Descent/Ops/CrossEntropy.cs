using System.Numerics;
using Descent.Losses;

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
    /// </summary>
    /// <param name="logits">z [batch, C].</param>
    /// <param name="targets">Class indices in [0, C), one per row.</param>
    /// <param name="weight">Class weights w [C] (a constant), or null for all ones.</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the target becomes (1 − ε)·onehot + ε/C.</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <param name="ignoreIndex">A target value to skip (PyTorch's default −100).</param>
    public static Tensor CrossEntropy(this Tensor logits, ReadOnlySpan<int> targets, Tensor? weight = null, double labelSmoothing = 0,
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
        var w = new double[c];                                   // [C]
        for (int j = 0; j < c; j++) w[j] = weight is null ? 1.0 : weight[j];
        var t = targets.ToArray();
        var p = logits.ZerosLike();                              // [batch, C] softmax
        var loss = new double[n];                                // [batch] ℓᵢ
        double denom = 0;
        if (logits.DType == DType.Float32) CrossEntropyForward<float>(logits, t, w, labelSmoothing, ignoreIndex, p, loss, ref denom);
        else CrossEntropyForward<double>(logits, t, w, labelSmoothing, ignoreIndex, p, loss, ref denom);
        Tensor y;
        if (reduction == Reduction.None) y = FromDoubles(loss, logits.DType);
        else
        {
            double s = 0;
            foreach (double l in loss) s += l;
            y = Tensor.Scalar(reduction == Reduction.Mean ? s / denom : s, logits.DType);
        }
        return Autograd.ShouldRecord(logits)
            ? Autograd.Record(y, new CrossEntropyNode(logits, t, w, labelSmoothing, ignoreIndex, p, reduction == Reduction.Mean ? denom : 1, reduction))
            : y;
    }

    private static void CrossEntropyForward<T>(Tensor z, int[] t, double[] w, double eps, int ignore, Tensor p, double[] loss, ref double denom)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = z.Shape[0], c = z.Shape[1];
        var zs = z.Span<T>(); var ps = p.Span<T>();
        var logp = new double[c];                                // [C] one row
        for (int i = 0; i < n; i++)
        {
            var row = zs.Slice(i * c, c);
            double max = double.NegativeInfinity;
            for (int j = 0; j < c; j++) max = Math.Max(max, double.CreateTruncating(row[j]));
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.Exp(double.CreateTruncating(row[j]) - max);
            double lse = max + Math.Log(sum);
            for (int j = 0; j < c; j++) { logp[j] = double.CreateTruncating(row[j]) - lse; ps[i * c + j] = T.CreateTruncating(Math.Exp(logp[j])); }
            if (t[i] == ignore) continue;
            double l = -(1 - eps) * w[t[i]] * logp[t[i]];
            if (eps > 0)
            {
                double smooth = 0;
                for (int j = 0; j < c; j++) smooth -= w[j] * logp[j];
                l += eps / c * smooth;
            }
            loss[i] = l;
            denom += w[t[i]];
        }
    }

    private sealed class CrossEntropyNode(Tensor z, int[] t, double[] w, double eps, int ignore, Tensor p, double denom, Reduction reduction) : Node(z)
    {
        public override string Name => "cross_entropy";

        protected internal override void Backward(Tensor gy)
        {
            var gz = z.ZerosLike();                              // [batch, C]
            if (z.DType == DType.Float32) Run<float>(gy, gz); else Run<double>(gy, gz);
            Accumulate(z, gz);
        }

        private void Run<T>(Tensor gy, Tensor gz) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int n = z.Shape[0], c = z.Shape[1];
            var ps = p.Span<T>(); var gs = gz.Span<T>(); var g = gy.Span<T>();
            double wSum = 0;
            foreach (double v in w) wSum += v;
            for (int i = 0; i < n; i++)
            {
                if (t[i] == ignore) continue;
                double s = double.CreateTruncating(reduction == Reduction.None ? g[i] : g[0]) / denom;
                double qSum = (1 - eps) * w[t[i]] + eps / c * wSum;       // Σⱼ qᵢⱼ
                for (int j = 0; j < c; j++)
                {
                    double q = eps / c * w[j] + (j == t[i] ? (1 - eps) * w[j] : 0);
                    gs[i * c + j] = T.CreateTruncating(s * (double.CreateTruncating(ps[i * c + j]) * qSum - q));
                }
            }
        }
    }
}
