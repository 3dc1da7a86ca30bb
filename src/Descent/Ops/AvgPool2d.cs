using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>2-D average pooling with a square window; see <see cref="AvgPool2d(Tensor, ValueTuple{int, int}, Nullable{ValueTuple{int, int}}, ValueTuple{int, int}, bool)"/>.</summary>
    public static Tensor AvgPool2d(this Tensor x, int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true) =>
        x.AvgPool2d((kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding), countIncludePad);

    /// <summary>
    /// 2-D average pooling, <c>torch.nn.functional.avg_pool2d</c> (ceil_mode = false): x [N, C, H, W] → y [N, C, OH, OW],
    /// y[n, c, i, j] = (1/d) Σ x[n, c, i·SH − PH + kh, j·SW − PW + kw] over the window's cells inside the input, with
    /// d = KH·KW when <paramref name="countIncludePad"/> (padded cells count as zeros; PyTorch's default), else the number
    /// of cells inside. OH = ⌊(H + 2·PH − KH)/SH⌋ + 1, OW likewise; the stride defaults to the kernel size.
    /// Backward: each input cell receives ∂L/∂y[n, c, i, j]/d from every window that holds it.
    /// </summary>
    public static Tensor AvgPool2d(this Tensor x, (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default,
        bool countIncludePad = true)
    {
        var s = PoolWindow("avg_pool2d", x, kernelSize, stride ?? kernelSize, padding);
        var y = Tensor.Zeros(x.DType, x.Shape[0], x.Shape[1], s.OH, s.OW);    // [N, C, OH, OW]
        Tape.Run("avg_pool2d", () =>
        {
            var k = KernelProvider.Current;
            if (x.DType == DType.Float32) k.AvgPool2dForward<float>(x.Floats, s, countIncludePad, y.Floats);
            else k.AvgPool2dForward<double>(x.Doubles, s, countIncludePad, y.Doubles);
        });
        return Autograd.ShouldRecord(x) ? Autograd.Record(y, new AvgPool2dNode(x, s, countIncludePad)) : y;
    }

    private sealed class AvgPool2dNode(Tensor x, Pool2dShape s, bool countIncludePad) : Node(x)
    {
        public override string Name => "avg_pool2d";

        protected internal override void Backward(Tensor gy)
        {
            var gx = x.ZerosLike();                                          // [N, C, H, W]
            Tape.Run("avg_pool2d backward", () =>
            {
                var k = KernelProvider.Current;
                if (gy.DType == DType.Float32) k.AvgPool2dBackward<float>(gy.Floats, s, countIncludePad, gx.Floats);
                else k.AvgPool2dBackward<double>(gy.Doubles, s, countIncludePad, gx.Doubles);
            });
            AccumulateOwned(x, gx);
        }
    }
}
