using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>Adaptive average pooling to a square output; <c>x.AdaptiveAvgPool2d(1)</c> is global average pooling.</summary>
    public static Tensor AdaptiveAvgPool2d(this Tensor x, int outputSize) => x.AdaptiveAvgPool2d((outputSize, outputSize));

    /// <summary>
    /// Adaptive 2-D average pooling, <c>torch.nn.functional.adaptive_avg_pool2d</c>: x [N, C, H, W] → y [N, C, OH, OW],
    /// y[n, c, i, j] = the mean of x[n, c] over rows [⌊i·H/OH⌋, ⌈(i + 1)·H/OH⌉) and columns [⌊j·W/OW⌋, ⌈(j + 1)·W/OW⌉)
    /// (PyTorch's bins; they may overlap). (1, 1) is global average pooling.
    /// Backward: each cell of a bin receives ∂L/∂y[n, c, i, j] / |bin|.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(this Tensor x, (int H, int W) outputSize)
    {
        if (x.Rank != 4) throw new ShapeException($"adaptive_avg_pool2d: expected input [N, C, H, W], got {Shape.Format(x.Shape)}.");
        if (outputSize.H <= 0 || outputSize.W <= 0)
            throw new ArgumentException($"adaptive_avg_pool2d: output_size must be > 0, got ({outputSize.H}, {outputSize.W}).");
        int planes = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3], oh = outputSize.H, ow = outputSize.W;
        if (h == 0 || w == 0) throw new ShapeException($"adaptive_avg_pool2d: input {Shape.Format(x.Shape)} has an empty plane.");
        var y = Tensor.Zeros(x.DType, x.Shape[0], x.Shape[1], oh, ow);       // [N, C, OH, OW]
        Tape.Run("adaptive_avg_pool2d", () =>
        {
            var k = KernelProvider.Current;
            if (x.DType == DType.Float32) k.AdaptiveAvgPool2dForward<float>(x.Floats, planes, h, w, oh, ow, y.Floats);
            else k.AdaptiveAvgPool2dForward<double>(x.Doubles, planes, h, w, oh, ow, y.Doubles);
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new AdaptiveAvgPool2dNode(x, oh, ow)) : y;
    }

    private sealed class AdaptiveAvgPool2dNode(Tensor x, int oh, int ow) : Node(x)
    {
        public override string Name => "adaptive_avg_pool2d";

        protected internal override void Backward(Tensor gy)
        {
            int planes = x.Shape[0] * x.Shape[1], h = x.Shape[2], w = x.Shape[3];
            var gx = x.ZerosLike();                                          // [N, C, H, W]
            Tape.Run("adaptive_avg_pool2d backward", () =>
            {
                var k = KernelProvider.Current;
                if (gy.DType == DType.Float32) k.AdaptiveAvgPool2dBackward<float>(gy.Floats, planes, h, w, oh, ow, gx.Floats);
                else k.AdaptiveAvgPool2dBackward<double>(gy.Doubles, planes, h, w, oh, ow, gx.Doubles);
            });
            AccumulateOwned(x, gx);
        }
    }
}
