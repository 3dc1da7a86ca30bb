using Descent.Kernels;
using System.Numerics;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// Batch normalization in training mode, fused (Ioffe and Szegedy 2015), per channel c of x [batch, C] or
    /// [batch, C, d₁, …] (the channel on axis 1, as PyTorch's BatchNorm1d/2d/3d), over the M = batch·d₁·… values xᵢ of the channel:
    /// μ = (1/M) Σᵢ xᵢ, σ² = (1/M) Σᵢ (xᵢ − μ)² (biased), x̂ᵢ = (xᵢ − μ)/√(σ² + ε), yᵢ = γ·x̂ᵢ + β.
    /// Backward (g = ∂L/∂y): ∂L/∂β = Σᵢ gᵢ, ∂L/∂γ = Σᵢ gᵢx̂ᵢ, ∂L/∂xᵢ = γ/(M·√(σ² + ε)) · (M·gᵢ − Σⱼ gⱼ − x̂ᵢ Σⱼ gⱼx̂ⱼ).
    /// </summary>
    /// <param name="x">Input [batch, C, …] with M ≥ 2 values per channel (PyTorch refuses one value per channel in training).</param>
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
    /// running_mean ← (1 − m)·running_mean + m·μ, running_var ← (1 − m)·running_var + m·σ²·M/(M − 1) (unbiased, M values per channel).
    /// </summary>
    public static Tensor BatchNormTrain(this Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor? runningMean, Tensor? runningVar,
        double momentum, out Tensor batchMean, out Tensor batchVar) =>
        BatchNormTrain(x, gamma, beta, eps, runningMean, runningVar, momentum, relu: false, out batchMean, out batchVar);

    /// <summary>
    /// As <see cref="BatchNormTrain(Tensor, Tensor?, Tensor?, double, Tensor?, Tensor?, double, out Tensor, out Tensor)"/>, then,
    /// when <paramref name="relu"/> (feature maps [N, C, d₁, …] only), a ReLU in the same op: y = max(γ·x̂ + β, 0), the same
    /// bits as the two ops (a NaN stays NaN). Its backward takes ∂L/∂(γ·x̂ + β) = g·[y &gt; 0] inside the batch norm's own
    /// passes, so the ReLU costs no sweep of its own and no buffer of its own. BatchNorm2d followed by ReLU runs this way.
    /// </summary>
    public static Tensor BatchNormTrain(this Tensor x, Tensor? gamma, Tensor? beta, double eps, Tensor? runningMean, Tensor? runningVar,
        double momentum, bool relu, out Tensor batchMean, out Tensor batchVar)
    {
        if (x.Rank < 2) throw new ShapeException($"batch_norm: expected input [batch, channels, …], got {Shape.Format(x.Shape)}.");
        int n = x.Shape[0], c = x.Shape[1], spatial = Shape.Numel(x.Shape[2..]);   // viewed as [batch, C, spatial]
        if ((long)n * spatial < 2) throw new ShapeException($"batch_norm: expected more than 1 value per channel when training, got input {Shape.Format(x.Shape)}.");
        if (relu && x.Rank < 3) throw new ShapeException($"batch_norm+relu: expected feature maps [batch, channels, d₁, …], got {Shape.Format(x.Shape)}.");
        foreach (var (p, what) in new[] { (gamma, "weight γ"), (beta, "bias β") })
        {
            if (p is null) continue;
            SameDType(x, p, "batch_norm");
            if (p.Rank != 1 || p.Shape[0] != c) throw new ShapeException($"batch_norm: {what} {Shape.Format(p.Shape)} does not fit input {Shape.Format(x.Shape)} (expected [{c}]).");
        }
        var y = x.ZerosLike();                                   // [batch, C, …]
        var xhat = x.ZerosLike();                                // [batch, C, …]
        batchMean = Tensor.Zeros(x.DType, c);                    // [C]
        batchVar = Tensor.Zeros(x.DType, c);                     // [C]
        var invStd = new double[c];                              // [C] 1/√(σ² + ε)
        var mu = new double[c];                                  // [C] μ
        var s2 = new double[c];                                  // [C] σ² (biased)
        var (mean, var) = (batchMean, batchVar);
        if (runningMean is not null && (runningMean.Length != c || runningVar is null || runningVar.Length != c))
            throw new ShapeException($"batch_norm: running statistics {Shape.Format(runningMean.Shape)} do not fit input {Shape.Format(x.Shape)} (expected [{c}]).");
        Tape.Run(relu ? "batch_norm+relu" : "batch_norm", () =>
        {
            var k = KernelProvider.Current;
            if (x.DType == DType.Float32)
                k.BatchNormForward<float>(x.Floats, n, c, spatial, gamma is null ? default : gamma.Floats, beta is null ? default : beta.Floats, eps, y.Floats, xhat.Floats, mu, s2, invStd, relu);
            else
                k.BatchNormForward<double>(x.Doubles, n, c, spatial, gamma is null ? default : gamma.Doubles, beta is null ? default : beta.Doubles, eps, y.Doubles, xhat.Doubles, mu, s2, invStd, relu);
            double m = (double)n * spatial, unbias = m / (m - 1);
            for (int j = 0; j < c; j++)
            {
                mean[j] = mu[j]; var[j] = s2[j];
                if (runningMean is null) continue;
                runningMean[j] = (1 - momentum) * runningMean[j] + momentum * mean[j];
                runningVar![j] = (1 - momentum) * runningVar[j] + momentum * var[j] * unbias;
            }
        });
        var inputs = new List<Tensor> { x };
        if (gamma is not null) inputs.Add(gamma);
        if (beta is not null) inputs.Add(beta);
        return Autograd.ShouldRecord(inputs.ToArray())
            ? Autograd.Record(y, new BatchNormNode(inputs.ToArray(), x, gamma, beta, xhat, invStd, relu ? y : null))
            : y;
    }

    /// <summary>
    /// Batch normalization in evaluation mode, fused, per channel c of x [batch, C, …] with the running statistics μ, σ²
    /// (constants, not in the graph): y = γ_c·(x − μ_c)/√(σ²_c + ε) + β_c, computed as PyTorch's CPU kernel does for
    /// inference, folded into one multiply-add: y = x·a_c + b_c with a_c = γ_c·(1/√(σ²_c + ε)) and b_c = β_c − μ_c·a_c
    /// (each rounded once from float64; <see cref="Kernels.ChannelAffine"/>). x̂ = (x − μ_c)·(1/√(σ²_c + ε)) is kept for ∂L/∂γ.
    /// Backward (g = ∂L/∂y): ∂L/∂x = g·γ_c/√(σ²_c + ε), ∂L/∂γ_c = Σ g·x̂, ∂L/∂β_c = Σ g (sums over every axis but the channel's).
    /// </summary>
    public static Tensor BatchNormEval(this Tensor x, Tensor runningMean, Tensor runningVar, Tensor? gamma, Tensor? beta, double eps) =>
        BatchNormEval(x, runningMean, runningVar, gamma, beta, eps, relu: false);

    /// <summary>
    /// <see cref="BatchNormEval(Tensor, Tensor, Tensor, Tensor?, Tensor?, double)"/>, with <paramref name="relu"/> followed
    /// by a ReLU: y = max(γ_c·x̂ + β_c, 0) in the same pass, where nothing needs a gradient (inference); when something
    /// does, the two ops one after the other. The same bits either way.
    /// </summary>
    internal static Tensor BatchNormEval(this Tensor x, Tensor runningMean, Tensor runningVar, Tensor? gamma, Tensor? beta, double eps, bool relu)
    {
        BatchNormOperands(x, runningMean, runningVar, gamma, beta);
        int n = x.Shape[0], c = x.Shape[1], spatial = Shape.Numel(x.Shape[2..]);   // viewed as [batch, C, spatial]
        var inputs = new List<Tensor> { x };
        if (gamma is not null) inputs.Add(gamma);
        if (beta is not null) inputs.Add(beta);
        bool record = Autograd.ShouldRecord(inputs.ToArray());
        if (relu && record) return x.BatchNormEval(runningMean, runningVar, gamma, beta, eps, relu: false).Relu();
        var y = x.ZerosLike();                                   // [batch, C, …]
        var xhat = record ? x.ZerosLike() : null;                // [batch, C, …] for ∂L/∂γ
        var mean = new double[c];                                // [C] running μ
        var invStd = new double[c];                              // [C] 1/√(running σ² + ε)
        bool f32 = x.DType == DType.Float32;
        float[]? scaleF = f32 ? new float[c] : null, shiftF = f32 ? new float[c] : null;     // [C] a = γ/√(σ² + ε), b = β − μ·a
        double[]? scaleD = f32 ? null : new double[c], shiftD = f32 ? null : new double[c];
        Tape.Run(relu ? "batch_norm+relu (eval)" : "batch_norm (eval)", () =>
        {
            var k = KernelProvider.Current;
            if (f32)
            {
                ChannelAffine.FoldBatchNorm<float>(runningMean.Floats, runningVar.Floats, gamma is null ? default : gamma.Floats, beta is null ? default : beta.Floats,
                    eps, scaleF, shiftF);
                k.ChannelAffine<float>(x.Floats, n, c, spatial, scaleF, shiftF, y.Floats, relu);
            }
            else
            {
                ChannelAffine.FoldBatchNorm<double>(runningMean.Doubles, runningVar.Doubles, gamma is null ? default : gamma.Doubles, beta is null ? default : beta.Doubles,
                    eps, scaleD, shiftD);
                k.ChannelAffine<double>(x.Doubles, n, c, spatial, scaleD, shiftD, y.Doubles, relu);
            }
            if (xhat is null) return;
            // x̂ = (x − μ)·(1/√(σ² + ε)), for ∂L/∂γ: the normalize kernel with γ = 1, β = 0 writes exactly x̂.
            for (int j = 0; j < c; j++) { mean[j] = runningMean[j]; invStd[j] = 1.0 / Math.Sqrt(runningVar[j] + eps); }
            if (f32) k.BatchNormNormalize<float>(x.Floats, n, c, spatial, mean, invStd, default, default, xhat.Floats, default);
            else k.BatchNormNormalize<double>(x.Doubles, n, c, spatial, mean, invStd, default, default, xhat.Doubles, default);
        });
        return record ? Autograd.Record(y, new BatchNormEvalNode(inputs.ToArray(), x, gamma, beta, xhat!, invStd)) : y;
    }

    /// <summary>Checks evaluation mode's operands against x [batch, C, …]: each of γ, β and the statistics is [C], of x's type.</summary>
    private static void BatchNormOperands(Tensor x, Tensor runningMean, Tensor runningVar, Tensor? gamma, Tensor? beta)
    {
        if (x.Rank < 2) throw new ShapeException($"batch_norm: expected input [batch, channels, …], got {Shape.Format(x.Shape)}.");
        int c = x.Shape[1];
        foreach (var (p, what) in new[] { (gamma, "weight γ"), (beta, "bias β"), (runningMean, "running_mean"), (runningVar, "running_var") })
        {
            if (p is null) continue;
            SameDType(x, p, "batch_norm");
            if (p.Rank != 1 || p.Shape[0] != c) throw new ShapeException($"batch_norm: {what} {Shape.Format(p.Shape)} does not fit input {Shape.Format(x.Shape)} (expected [{c}]).");
        }
    }

    private sealed class BatchNormEvalNode(Tensor[] inputs, Tensor x, Tensor? gamma, Tensor? beta, Tensor xhat, double[] invStd) : Node(inputs)
    {
        public override string Name => "batch_norm (eval)";

        protected internal override void Backward(Tensor gy)
        {
            int n = x.Shape[0], c = x.Shape[1], spatial = Shape.Numel(x.Shape[2..]);
            var sumG = new double[c];                            // [C] Σ g
            var sumGH = new double[c];                           // [C] Σ g·x̂
            var scale = new double[c];                           // [C] γ/√(σ² + ε)
            var zero = new double[c];                            // [C]
            var gx = x.RequiresGrad ? x.ZerosLike() : null;      // [batch, C, …]
            var gGamma = gamma is not null && gamma.RequiresGrad ? gamma.ZerosLike() : null;   // [C]
            var gBeta = beta is not null && beta.RequiresGrad ? beta.ZerosLike() : null;       // [C]
            Tape.Run("batch_norm (eval) backward", () =>
            {
                var k = KernelProvider.Current;
                bool f32 = gy.DType == DType.Float32;
                if (gGamma is not null || gBeta is not null)
                {
                    if (f32) k.BatchNormBackward<float>(gy.Floats, xhat.Floats, n, c, spatial, default, invStd, sumG, sumGH, default);
                    else k.BatchNormBackward<double>(gy.Doubles, xhat.Doubles, n, c, spatial, default, invStd, sumG, sumGH, default);
                    for (int j = 0; j < c; j++)
                    {
                        if (gGamma is not null) gGamma[j] = sumGH[j];
                        if (gBeta is not null) gBeta[j] = sumG[j];
                    }
                }
                if (gx is null) return;
                for (int j = 0; j < c; j++) scale[j] = (gamma is null ? 1 : gamma[j]) * invStd[j];
                // ∂L/∂x = (g − 0)·scale: the same per-channel kernel with μ = 0 and 1/σ = γ/√(σ² + ε).
                if (f32) k.BatchNormNormalize<float>(gy.Floats, n, c, spatial, zero, scale, default, default, gx.Floats, default);
                else k.BatchNormNormalize<double>(gy.Doubles, n, c, spatial, zero, scale, default, default, gx.Doubles, default);
            });
            if (gx is not null) AccumulateOwned(x, gx);
            if (gGamma is not null) AccumulateOwned(gamma!, gGamma);
            if (gBeta is not null) AccumulateOwned(beta!, gBeta);
        }
    }

    /// <summary>The backward of batch norm in training mode; with <paramref name="gate"/> (the output of the fused ReLU) g counts where gate &gt; 0.</summary>
    private sealed class BatchNormNode(Tensor[] inputs, Tensor x, Tensor? gamma, Tensor? beta, Tensor xhat, double[] invStd, Tensor? gate) : Node(inputs)
    {
        public override string Name => gate is null ? "batch_norm" : "batch_norm+relu";

        protected internal override void Backward(Tensor gy)
        {
            int n = x.Shape[0], c = x.Shape[1], spatial = Shape.Numel(x.Shape[2..]);
            var sumG = new double[c];                            // [C] Σᵢ gᵢ
            var sumGH = new double[c];                           // [C] Σᵢ gᵢx̂ᵢ
            var gx = x.RequiresGrad ? x.ZerosLike() : null;      // [batch, C, …]
            var gGamma = gamma is not null && gamma.RequiresGrad ? gamma.ZerosLike() : null;   // [C]
            var gBeta = beta is not null && beta.RequiresGrad ? beta.ZerosLike() : null;       // [C]
            Tape.Run(gate is null ? "batch_norm backward" : "batch_norm+relu backward", () =>
            {
                var k = KernelProvider.Current;
                if (gy.DType == DType.Float32)
                    k.BatchNormBackward<float>(gy.Floats, xhat.Floats, n, c, spatial, gamma is null ? default : gamma.Floats, invStd, sumG, sumGH, gx is null ? default : gx.Floats,
                        gate is null ? default : gate.Floats);
                else
                    k.BatchNormBackward<double>(gy.Doubles, xhat.Doubles, n, c, spatial, gamma is null ? default : gamma.Doubles, invStd, sumG, sumGH, gx is null ? default : gx.Doubles,
                        gate is null ? default : gate.Doubles);
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
    }
}
