namespace Descent.Nn;

/// <summary>
/// 2-D max pooling, <c>torch.nn.MaxPool2d</c>: x [N, C, H, W] → [N, C, OH, OW], the largest value of each KH × KW window
/// moved by the stride (default: the kernel size) over x padded with −∞ (see <see cref="Ops.MaxPool2d(Tensor, ValueTuple{int, int}, Nullable{ValueTuple{int, int}}, ValueTuple{int, int})"/>).
/// No parameters.
/// </summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Window (KH, KW).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step (SH, SW).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Padding (PH, PW) on each side, at most half the kernel.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>A square window of <paramref name="kernelSize"/>; the stride defaults to it.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
        : this((kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding)) { }

    /// <summary>A KH × KW window; the stride defaults to it.</summary>
    public MaxPool2d((int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default)
    {
        (KernelSize, Stride, Padding) = (kernelSize, stride ?? kernelSize, padding);
        Pool2dText.Check(TypeName, KernelSize, Stride, Padding);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.MaxPool2d(KernelSize, Stride, Padding);

    /// <inheritdoc/>
    public override string ToString() =>
        $"MaxPool2d(kernel_size={Pool2dText.Pair(KernelSize)}, stride={Pool2dText.Pair(Stride)}, padding={Pool2dText.Pair(Padding)}, dilation=1, ceil_mode=False)";
}

/// <summary>The argument checks and the PyTorch-style text of the pooling layers' sizes.</summary>
internal static class Pool2dText
{
    /// <summary>"2" for (2, 2), else "(2, 3)", as PyTorch prints what it was given.</summary>
    public static string Pair((int H, int W) p) => p.H == p.W ? $"{p.H}" : $"({p.H}, {p.W})";

    /// <summary>Throws on a kernel or stride ≤ 0, or a padding outside [0, kernel/2] (PyTorch's rule), naming the layer.</summary>
    public static void Check(string layer, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        if (kernel.H <= 0 || kernel.W <= 0) throw new ArgumentException($"{layer}: kernel_size must be > 0, got {Pair(kernel)}.");
        if (stride.H <= 0 || stride.W <= 0) throw new ArgumentException($"{layer}: stride must be > 0, got {Pair(stride)}.");
        if (padding.H < 0 || padding.W < 0 || padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
            throw new ArgumentException($"{layer}: padding must be between 0 and half the kernel size, got padding {Pair(padding)} for kernel_size {Pair(kernel)}.");
    }
}
