using Descent.Kernels;
using Descent.Nn;

namespace Descent.Training;

/// <summary>Inverted dropout in a <see cref="StepPlan"/>: the same masks, drawn in the same order from the layer's generator, as <see cref="Dropout.Forward"/>.</summary>
public sealed class PlannedDropout(Dropout layer) : IPlannedLayer
{
    /// <inheritdoc/>
    public override string ToString() => "dropout";

    private readonly Dictionary<int, Tensor> _masks = [];   // by batch·width: [batch, width] of 0 or 1/(1 − p)

    /// <inheritdoc/>
    public int OutputWidth(int inputWidth) => inputWidth;

    /// <inheritdoc/>
    public void Forward(Tensor x, Tensor y, bool training)
    {
        if (!training || layer.P == 0) { y.CopyFrom(x); return; }
        if (!_masks.TryGetValue(x.Length, out var mask)) _masks[x.Length] = mask = x.ZerosLike();
        var rng = layer.Generator;
        double p = layer.P, scale = p == 1 ? 0 : 1.0 / (1 - p);
        if (x.DType == DType.Float32)
        {
            var m = mask.Floats; float s = (float)scale;
            for (int i = 0; i < m.Length; i++) m[i] = rng.NextDouble() >= p ? s : 0f;
            KernelProvider.Current.Binary(new Ops.MulOp(), (ReadOnlySpan<float>)x.Floats, m, y.Floats);
        }
        else
        {
            var m = mask.Doubles;
            for (int i = 0; i < m.Length; i++) m[i] = rng.NextDouble() >= p ? scale : 0.0;
            KernelProvider.Current.Binary(new Ops.MulOp(), (ReadOnlySpan<double>)x.Doubles, m, y.Doubles);
        }
    }

    /// <inheritdoc/>
    public void Backward(Tensor x, Tensor y, Tensor gy, Tensor? gx)
    {
        if (gx is null) return;
        if (layer.P == 0 || !_masks.TryGetValue(x.Length, out var mask)) { gx.CopyFrom(gy); return; }
        if (x.DType == DType.Float32) KernelProvider.Current.Binary(new Ops.MulOp(), (ReadOnlySpan<float>)gy.Floats, mask.Floats, gx.Floats);
        else KernelProvider.Current.Binary(new Ops.MulOp(), (ReadOnlySpan<double>)gy.Doubles, mask.Doubles, gx.Doubles);
    }
}

/// <summary>Maps a model onto planned layers when every part of it has a planned form.</summary>
public static class StepPlanBuilder
{
    /// <summary>
    /// A <see cref="StepPlan"/> for <paramref name="model"/> if it is a Sequential (possibly nested) of Linear, ReLU, Tanh,
    /// Sigmoid, LeakyReLU, ELU, GELU, Identity, Flatten (of 2-D input) and Dropout; otherwise null and the reason.
    /// </summary>
    public static StepPlan? TryCreate(Module model, int inputWidth, DType dtype, out string? reason)
    {
        var layers = new List<IPlannedLayer>();
        reason = Collect(model, layers);
        return reason is null && layers.Count > 0 ? StepPlan.Create(layers, inputWidth, dtype) : null;
    }

    private static string? Collect(Module m, List<IPlannedLayer> layers)
    {
        switch (m)
        {
            case Sequential s:
                for (int i = 0; i < s.Layers.Count; i++)
                {
                    if (s.Layers[i] is Linear lin && i + 1 < s.Layers.Count && s.Layers[i + 1] is ReLU)
                    {
                        layers.Add(new PlannedLinear(lin.Weight, lin.Bias, relu: true));   // Linear → ReLU fused in the GEMM epilogue
                        i++;
                        continue;
                    }
                    var r = Collect(s.Layers[i], layers);
                    if (r is not null) return r;
                }
                return null;
            case Linear l: layers.Add(new PlannedLinear(l.Weight, l.Bias)); return null;
            case ReLU: layers.Add(new PlannedActivation<Ops.ReluOp>(default)); return null;
            case Tanh: layers.Add(new PlannedActivation<Ops.TanhOp>(default)); return null;
            case Sigmoid: layers.Add(new PlannedActivation<Ops.SigmoidOp>(default)); return null;
            case LeakyReLU lr: layers.Add(new PlannedActivation<Ops.LeakyReluOp>(new(lr.NegativeSlope))); return null;
            case ELU e: layers.Add(new PlannedActivation<Ops.EluOp>(new(e.Alpha))); return null;
            case GELU: layers.Add(new PlannedActivation<Ops.GeluOp>(default)); return null;
            case Identity: return null;
            case Flatten: return null;   // the plan's input is already [batch, features]
            case Dropout d: layers.Add(new PlannedDropout(d)); return null;
            default: return $"{m.GetType().Name} has no planned form";
        }
    }
}
