using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution, <c>torch.nn.functional.conv2d</c> (a cross-correlation, NCHW):
    /// y[n, o, i, j] = b[o] + Σ_{c, u, v} W[o, c, u, v] · x[n, g·Cin/G + c, i·s − p + u·d, j·s − p + v·d], x read as 0 in the padding,
    /// g = o / (Cout/G) the group of output channel o.
    /// Shapes: x [N, Cin, H, W], W [Cout, Cin/G, kh, kw], b [Cout] (optional) → y [N, Cout, Hout, Wout],
    /// Hout = ⌊(H + 2p − d(kh − 1) − 1)/s⌋ + 1 (likewise Wout).
    /// Backward (G = ∂L/∂y): ∂L/∂x[n, c, r, q] = Σ G[n, o, i, j]·W[o, c, u, v] over the (o, i, j, u, v) that read x[n, c, r, q];
    /// ∂L/∂W[o, c, u, v] = Σ_{n, i, j} G[n, o, i, j]·x[n, …]; ∂L/∂b[o] = Σ_{n, i, j} G[n, o, i, j].
    /// </summary>
    public static Tensor Conv2d(this Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(x, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>As <see cref="Conv2d(Tensor, Tensor, Tensor?, int, int, int, int)"/>, with (height, width) strides, paddings and dilations.</summary>
    public static Tensor Conv2d(this Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
    {
        var g = Conv2dGeometryOf(x, weight, bias, stride, padding, dilation, groups);
        var y = Tensor.Zeros(x.DType, g.Batch, g.OutChannels, g.OutHeight, g.OutWidth);   // [N, Cout, Hout, Wout]
        int scratchLength = KernelProvider.Current.Conv2dScratchLength(g);
        var scratch = Tensor.Zeros(x.DType, scratchLength);                                  // im2col columns, shared with the backward pass
        Tape.Run("conv2d", () =>
        {
            var k = KernelProvider.Current;
            if (x.DType == DType.Float32) k.Conv2d<float>(x.Floats, weight.Floats, bias is null ? default : bias.Floats, g, y.Floats, scratch.Floats);
            else k.Conv2d<double>(x.Doubles, weight.Doubles, bias is null ? default : bias.Doubles, g, y.Doubles, scratch.Doubles);
        });
        bool record = bias is null ? Autograd.ShouldRecord(x, weight) : Autograd.ShouldRecord([x, weight, bias]);
        return record ? Autograd.Record(y, new Conv2dNode(x, weight, bias, g, scratch)) : y;
    }

    /// <summary>
    /// A convolution followed by an evaluation-mode batch norm (then, with <paramref name="relu"/>, a ReLU) as one op where
    /// nothing needs a gradient (inference): the batch norm folded into y·a_c + b_c, a_c = γ_c/√(σ²_c + ε), b_c = β_c − μ_c·a_c
    /// (<see cref="ChannelAffine"/>), applied by the convolution to each part of its output while it is in cache — the
    /// bits of <see cref="Conv2d(Tensor, Tensor, Tensor?, int, int, int, int)"/> then
    /// <see cref="BatchNormEval(Tensor, Tensor, Tensor, Tensor?, Tensor?, double, bool)"/>, the two ops that run when
    /// something needs a gradient. Shapes: x [N, Cin, H, W], W [Cout, Cin/G, kh, kw], statistics, γ, β [Cout] → y [N, Cout, Hout, Wout].
    /// </summary>
    internal static Tensor Conv2dBatchNormEval(this Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation,
        int groups, Tensor runningMean, Tensor runningVar, Tensor? gamma, Tensor? beta, double eps, bool relu)
    {
        Tensor[] operands = [x, weight, .. bias is null ? Array.Empty<Tensor>() : [bias], .. gamma is null ? Array.Empty<Tensor>() : [gamma], .. beta is null ? Array.Empty<Tensor>() : [beta]];
        var g = Conv2dGeometryOf(x, weight, bias, stride, padding, dilation, groups);
        if (Autograd.ShouldRecord(operands) || runningMean.Rank != 1 || runningMean.Shape[0] != g.OutChannels || runningMean.DType != x.DType)
            return x.Conv2d(weight, bias, stride, padding, dilation, groups).BatchNormEval(runningMean, runningVar, gamma, beta, eps, relu);   // its checks, its errors
        var y = Tensor.Zeros(x.DType, g.Batch, g.OutChannels, g.OutHeight, g.OutWidth);   // [N, Cout, Hout, Wout]
        BatchNormOperands(y, runningMean, runningVar, gamma, beta);                         // the batch norm's input is y
        var scratch = Tensor.Zeros(x.DType, KernelProvider.Current.Conv2dScratchLength(g));
        bool f32 = x.DType == DType.Float32;
        float[]? scaleF = f32 ? new float[g.OutChannels] : null, shiftF = f32 ? new float[g.OutChannels] : null;   // [Cout] a, b
        double[]? scaleD = f32 ? null : new double[g.OutChannels], shiftD = f32 ? null : new double[g.OutChannels];
        Tape.Run(relu ? "conv2d+batch_norm+relu (eval)" : "conv2d+batch_norm (eval)", () =>
        {
            var k = KernelProvider.Current;
            if (f32)
            {
                ChannelAffine.FoldBatchNorm<float>(runningMean.Floats, runningVar.Floats, gamma is null ? default : gamma.Floats, beta is null ? default : beta.Floats,
                    eps, scaleF, shiftF);
                k.Conv2d<float>(x.Floats, weight.Floats, bias is null ? default : bias.Floats, g, y.Floats, scratch.Floats, scaleF, shiftF, relu);
            }
            else
            {
                ChannelAffine.FoldBatchNorm<double>(runningMean.Doubles, runningVar.Doubles, gamma is null ? default : gamma.Doubles, beta is null ? default : beta.Doubles,
                    eps, scaleD, shiftD);
                k.Conv2d<double>(x.Doubles, weight.Doubles, bias is null ? default : bias.Doubles, g, y.Doubles, scratch.Doubles, scaleD, shiftD, relu);
            }
        });
        return y;
    }

    /// <summary>Checks the operands of a convolution and returns its sizes (one line per kind of mistake).</summary>
    private static Conv2dGeometry Conv2dGeometryOf(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups)
    {
        SameDType(x, weight, "conv2d");
        if (bias is not null) SameDType(x, bias, "conv2d");
        if (stride.H < 1 || stride.W < 1 || padding.H < 0 || padding.W < 0 || dilation.H < 1 || dilation.W < 1 || groups < 1)
            throw new ArgumentException($"conv2d: expected stride ≥ 1, padding ≥ 0, dilation ≥ 1 and groups ≥ 1, got stride {stride}, padding {padding}, dilation {dilation}, groups {groups}.");
        if (x.Rank != 4) throw new ShapeException($"conv2d: expected input [N, C, H, W] (4-D), got {Shape.Format(x.Shape)}.");
        if (weight.Rank != 4) throw new ShapeException($"conv2d: expected weight [out, in/groups, kh, kw] (4-D), got {Shape.Format(weight.Shape)}.");
        int cin = x.Shape[1], cout = weight.Shape[0];
        if (cin % groups != 0 || cout % groups != 0 || weight.Shape[1] * groups != cin)
            throw new ShapeException($"conv2d: weight {Shape.Format(weight.Shape)} does not fit input {Shape.Format(x.Shape)} with groups={groups} (expected weight [out, {(cin % groups == 0 ? (cin / groups).ToString() : $"{cin}/{groups}")}, kh, kw] with out a multiple of {groups}).");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != cout))
            throw new ShapeException($"conv2d: bias {Shape.Format(bias.Shape)} does not fit weight {Shape.Format(weight.Shape)} (expected [{cout}]).");
        var g = new Conv2dGeometry(x.Shape[0], cin, x.Shape[2], x.Shape[3], cout, weight.Shape[2], weight.Shape[3],
            stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
        if (g.OutHeight < 1 || g.OutWidth < 1 || g.KernelH < 1 || g.KernelW < 1)
            throw new ShapeException($"conv2d: kernel {g.KernelH}×{g.KernelW} with dilation {dilation} does not fit input {g.Height}×{g.Width} padded by {padding} (output would be {g.OutHeight}×{g.OutWidth}).");
        return g;
    }

    private sealed class Conv2dNode : Node
    {
        private readonly Tensor _x, _w, _scratch;
        private readonly Tensor? _b;
        private readonly Conv2dGeometry _g;

        public Conv2dNode(Tensor x, Tensor w, Tensor? b, Conv2dGeometry g, Tensor scratch) : base(b is null ? [x, w] : [x, w, b]) =>
            (_x, _w, _b, _g, _scratch) = (x, w, b, g, scratch);

        public override string Name => "conv2d";

        protected internal override void Backward(Tensor gy)
        {
            var (x, w, g, scratch) = (_x, _w, _g, _scratch);
            var gw = Needs(1) ? w.ZerosLike() : null;                           // [Cout, Cin/G, kh, kw]
            var gb = _b is not null && Needs(2) ? _b.ZerosLike() : null;        // [Cout]
            if (gw is not null || gb is not null)
            {
                Tape.Run("conv2d backward: ∂L/∂W, ∂L/∂b", () =>
                {
                    var k = KernelProvider.Current;
                    if (gy.DType == DType.Float32)
                        k.Conv2dBackwardWeight<float>(gy.Floats, x.Floats, g, gw is null ? default : gw.Floats, gb is null ? default : gb.Floats, scratch.Floats);
                    else
                        k.Conv2dBackwardWeight<double>(gy.Doubles, x.Doubles, g, gw is null ? default : gw.Doubles, gb is null ? default : gb.Doubles, scratch.Doubles);
                });
                if (gw is not null) AccumulateOwned(w, gw);
                if (gb is not null) AccumulateOwned(_b!, gb);
            }
            if (Needs(0))
            {
                var gx = x.ZerosLike();                                          // [N, Cin, H, W]
                Tape.Run("conv2d backward: ∂L/∂x", () =>
                {
                    var k = KernelProvider.Current;
                    if (gy.DType == DType.Float32) k.Conv2dBackwardInput<float>(gy.Floats, w.Floats, g, gx.Floats, scratch.Floats);
                    else k.Conv2dBackwardInput<double>(gy.Doubles, w.Doubles, g, gx.Doubles, scratch.Doubles);
                });
                AccumulateOwned(x, gx);
            }
        }
    }
}
