using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>2-D max pooling with a square window; see <see cref="MaxPool2d(Tensor, ValueTuple{int, int}, Nullable{ValueTuple{int, int}}, ValueTuple{int, int})"/>.</summary>
    public static Tensor MaxPool2d(this Tensor x, int kernelSize, int? stride = null, int padding = 0) =>
        x.MaxPool2d((kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding));

    /// <summary>
    /// 2-D max pooling, <c>torch.nn.functional.max_pool2d</c> (ceil_mode = false, dilation 1): x [N, C, H, W] → y [N, C, OH, OW],
    /// y[n, c, i, j] = max over kh &lt; KH, kw &lt; KW of x[n, c, i·SH − PH + kh, j·SW − PW + kw] (padded cells are −∞),
    /// OH = ⌊(H + 2·PH − KH)/SH⌋ + 1, OW likewise. The stride defaults to the kernel size; the padding is at most half the kernel.
    /// Backward: ∂L/∂x[n, c, argmax] += ∂L/∂y[n, c, i, j], the argmax saved by the forward pass (the first cell of the
    /// window on ties, as PyTorch).
    /// </summary>
    public static Tensor MaxPool2d(this Tensor x, (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default)
    {
        var s = PoolWindow("max_pool2d", x, kernelSize, stride ?? kernelSize, padding);
        var y = Tensor.Zeros(x.DType, x.Shape[0], x.Shape[1], s.OH, s.OW);    // [N, C, OH, OW]
        bool record = Autograd.ShouldRecord(x);
        var argmax = record ? new int[y.Length] : [];                        // [N, C, OH, OW] ih·W + iw within the plane (none in inference)
        Tape.Run("max_pool2d", () =>
        {
            var k = KernelProvider.Current;
            if (x.DType == DType.Float32) k.MaxPool2dForward<float>(x.Floats, s, y.Floats, argmax);
            else k.MaxPool2dForward<double>(x.Doubles, s, y.Doubles, argmax);
        });
        return record ? Autograd.Record(y, new MaxPool2dNode(x, s, argmax)) : y;
    }

    private sealed class MaxPool2dNode(Tensor x, Pool2dShape s, int[] argmax) : Node(x)
    {
        public override string Name => "max_pool2d";

        protected internal override void Backward(Tensor gy)
        {
            var gx = x.ZerosLike();                                          // [N, C, H, W]
            Tape.Run("max_pool2d backward", () =>
            {
                var k = KernelProvider.Current;
                if (gy.DType == DType.Float32) k.MaxPool2dBackward<float>(gy.Floats, argmax, s, gx.Floats);
                else k.MaxPool2dBackward<double>(gy.Doubles, argmax, s, gx.Doubles);
            });
            AccumulateOwned(x, gx);
        }
    }
}
