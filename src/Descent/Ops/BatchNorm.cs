using System.Numerics;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// Batch normalization in training mode, fused (Ioffe and Szegedy 2015), per channel c of x [batch, C]:
    /// μ = (1/N) Σᵢ xᵢ, σ² = (1/N) Σᵢ (xᵢ − μ)² (biased), x̂ᵢ = (xᵢ − μ)/√(σ² + ε), yᵢ = γ·x̂ᵢ + β.
    /// Backward (g = ∂L/∂y): ∂L/∂β = Σᵢ gᵢ, ∂L/∂γ = Σᵢ gᵢx̂ᵢ, ∂L/∂xᵢ = γ/(N·√(σ² + ε)) · (N·gᵢ − Σⱼ gⱼ − x̂ᵢ Σⱼ gⱼx̂ⱼ).
    /// </summary>
    /// <param name="x">Input [batch, C], batch ≥ 2 (PyTorch refuses one value per channel in training).</param>
    /// <param name="gamma">Scale γ [C], or null for γ = 1 (affine = false).</param>
    /// <param name="beta">Shift β [C], or null for β = 0.</param>
    /// <param name="eps">ε added to the variance.</param>
    /// <param name="batchMean">The batch mean μ [C] (not in the graph), for the running statistics.</param>
    /// <param name="batchVar">The biased batch variance σ² [C] (not in the graph).</param>
    public static Tensor BatchNormTrain(this Tensor x, Tensor? gamma, Tensor? beta, double eps, out Tensor batchMean, out Tensor batchVar) =>
        BatchNormTrain(x, gamma, beta, eps, null, null, 0, out batchMean, out batchVar);

    /// <summary>
    /// As <see cref="BatchNormTrain(Tensor, Tensor?, Tensor?, double, out Tensor, out Tensor)"/>, and updates the running
    /// statistics in the same op (PyTorch's rule, momentum m = the weight of the new batch):
    /// running_mean ← (1 − m)·running_mean + m·μ, running_var ← (1 − m)·running_var + m·σ²·n/(n − 1) (unbiased).
    /// </summary>
    public static Tensor BatchNormTrain(this Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor? runningMean, Tensor? runningVar,
        double momentum, out Tensor batchMean, out Tensor batchVar)
    {
        if (x.Rank != 2) throw new ShapeException($"batch_norm: expected input [batch, features], got {Shape.Format(x.Shape)}.");
        int n = x.Shape[0], c = x.Shape[1];
        if (n < 2) throw new ShapeException($"batch_norm: expected more than 1 value per channel when training, got input {Shape.Format(x.Shape)}.");
        foreach (var (p, what) in new[] { (gamma, "weight γ"), (beta, "bias β") })
        {
            if (p is null) continue;
            SameDType(x, p, "batch_norm");
            if (p.Rank != 1 || p.Shape[0] != c) throw new ShapeException($"batch_norm: {what} {Shape.Format(p.Shape)} does not fit input {Shape.Format(x.Shape)} (expected [{c}]).");
        }
        var y = x.ZerosLike();                                   // [batch, C]
        var xhat = x.ZerosLike();                                // [batch, C]
        batchMean = Tensor.Zeros(x.DType, c);                    // [C]
        batchVar = Tensor.Zeros(x.DType, c);                     // [C]
        var invStd = new double[c];                              // [C] 1/√(σ² + ε)
        var mu = new double[c];                                  // [C] scratch: μ
        var s2 = new double[c];                                  // [C] scratch: σ²
        var (mean, var) = (batchMean, batchVar);
        if (runningMean is not null && (runningMean.Length != c || runningVar is null || runningVar.Length != c))
            throw new ShapeException($"batch_norm: running statistics {Shape.Format(runningMean.Shape)} do not fit input {Shape.Format(x.Shape)} (expected [{c}]).");
        Tape.Run("batch_norm", () =>
        {
            if (x.DType == DType.Float32) BatchNormForward<float>(x, gamma, beta, eps, y, xhat, mean, var, invStd, mu, s2);
            else BatchNormForward<double>(x, gamma, beta, eps, y, xhat, mean, var, invStd, mu, s2);
            if (runningMean is null) return;
            double unbias = n / (n - 1.0);
            for (int j = 0; j < c; j++)
            {
                runningMean[j] = (1 - momentum) * runningMean[j] + momentum * mean[j];
                runningVar![j] = (1 - momentum) * runningVar[j] + momentum * var[j] * unbias;
            }
        });
        var inputs = new List<Tensor> { x };
        if (gamma is not null) inputs.Add(gamma);
        if (beta is not null) inputs.Add(beta);
        return Autograd.ShouldRecord(inputs.ToArray())
            ? Autograd.Record(y, new BatchNormNode(inputs.ToArray(), x, gamma, beta, xhat, invStd))
            : y;
    }

    private static void BatchNormForward<T>(Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor y, Tensor xhat, Tensor mean, Tensor var,
        double[] invStd, double[] mu, double[] s2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Shape[0], c = x.Shape[1];
        var xs = x.Span<T>();
        Array.Clear(mu);
        Array.Clear(s2);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++) mu[j] += double.CreateTruncating(xs[i * c + j]);
        for (int j = 0; j < c; j++) mu[j] /= n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++) { double d = double.CreateTruncating(xs[i * c + j]) - mu[j]; s2[j] += d * d; }
        var ms = mean.Span<T>(); var vs = var.Span<T>();
        for (int j = 0; j < c; j++)
        {
            s2[j] /= n;
            invStd[j] = 1.0 / Math.Sqrt(s2[j] + eps);
            ms[j] = T.CreateTruncating(mu[j]); vs[j] = T.CreateTruncating(s2[j]);
        }
        var ys = y.Span<T>(); var hs = xhat.Span<T>();
        ReadOnlySpan<T> gs = gamma is null ? default : gamma.Span<T>(), bs = beta is null ? default : beta.Span<T>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c; j++)
            {
                double h = (double.CreateTruncating(xs[i * c + j]) - mu[j]) * invStd[j];
                double g = gamma is null ? 1 : double.CreateTruncating(gs[j]), b = beta is null ? 0 : double.CreateTruncating(bs[j]);
                hs[i * c + j] = T.CreateTruncating(h);
                ys[i * c + j] = T.CreateTruncating(g * h + b);
            }
    }

    private sealed class BatchNormNode(Tensor[] inputs, Tensor x, Tensor? gamma, Tensor? beta, Tensor xhat, double[] invStd) : Node(inputs)
    {
        public override string Name => "batch_norm";

        protected internal override void Backward(Tensor gy)
        {
            int c = x.Shape[1];
            var sumG = new double[c];                            // [C] Σᵢ gᵢ
            var sumGH = new double[c];                           // [C] Σᵢ gᵢx̂ᵢ
            var gx = x.RequiresGrad ? x.ZerosLike() : null;      // [batch, C]
            var gGamma = gamma is not null && gamma.RequiresGrad ? gamma.ZerosLike() : null;   // [C]
            var gBeta = beta is not null && beta.RequiresGrad ? beta.ZerosLike() : null;       // [C]
            Tape.Run("batch_norm backward", () =>
            {
                if (gy.DType == DType.Float32) Run<float>(gy, sumG, sumGH, gx);
                else Run<double>(gy, sumG, sumGH, gx);
                for (int j = 0; j < c; j++)
                {
                    if (gGamma is not null) gGamma[j] = sumGH[j];
                    if (gBeta is not null) gBeta[j] = sumG[j];
                }
            });
            if (gx is not null) AccumulateOwned(x, gx);
            if (gGamma is not null) AccumulateOwned(gamma!, gGamma);
            if (gBeta is not null) AccumulateOwned(beta!, gBeta);
        }

        private void Run<T>(Tensor gy, double[] sumG, double[] sumGH, Tensor? gx) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int n = x.Shape[0], c = x.Shape[1];
            var g = gy.Span<T>(); var h = xhat.Span<T>();
            Array.Clear(sumG);
            Array.Clear(sumGH);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < c; j++)
                {
                    double gi = double.CreateTruncating(g[i * c + j]);
                    sumG[j] += gi; sumGH[j] += gi * double.CreateTruncating(h[i * c + j]);
                }
            if (gx is not null)
            {
                var gxs = gx.Span<T>();
                ReadOnlySpan<T> gam = gamma is null ? default : gamma.Span<T>();
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < c; j++)
                    {
                        double k = (gamma is null ? 1 : double.CreateTruncating(gam[j])) * invStd[j] / n;
                        gxs[i * c + j] = T.CreateTruncating(k * (n * double.CreateTruncating(g[i * c + j]) - sumG[j] - double.CreateTruncating(h[i * c + j]) * sumGH[j]));
                    }
            }
        }
    }
}
