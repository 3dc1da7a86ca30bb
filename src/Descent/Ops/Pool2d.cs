using Descent.Kernels;

namespace Descent;

public static partial class Ops
{
    /// <summary>
    /// The window of a 2-D pooling op over x [N, C, H, W], checked as PyTorch checks it: kernel and stride &gt; 0,
    /// 0 ≤ padding ≤ kernel/2, and an output of at least 1 × 1 (OH = ⌊(H + 2·pad − kernel)/stride⌋ + 1, ceil_mode = false).
    /// </summary>
    internal static Pool2dShape PoolWindow(string op, Tensor x, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        if (x.Rank != 4) throw new ShapeException($"{op}: expected input [N, C, H, W], got {Shape.Format(x.Shape)}.");
        if (kernel.H <= 0 || kernel.W <= 0) throw new ArgumentException($"{op}: kernel_size must be > 0, got ({kernel.H}, {kernel.W}).");
        if (stride.H <= 0 || stride.W <= 0) throw new ArgumentException($"{op}: stride must be > 0, got ({stride.H}, {stride.W}).");
        if (padding.H < 0 || padding.W < 0 || padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
            throw new ArgumentException($"{op}: padding must be between 0 and half the kernel size, got padding ({padding.H}, {padding.W}) for kernel_size ({kernel.H}, {kernel.W}).");
        var s = new Pool2dShape(x.Shape[0] * x.Shape[1], x.Shape[2], x.Shape[3], kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W);
        if (s.H + 2 * s.PH < s.KH || s.W + 2 * s.PW < s.KW)
            throw new ShapeException($"{op}: input {Shape.Format(x.Shape)} is smaller than the kernel ({kernel.H}, {kernel.W}) with padding ({padding.H}, {padding.W}): the output would be empty.");
        return s;
    }
}
