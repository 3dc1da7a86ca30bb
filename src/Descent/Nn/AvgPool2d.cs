namespace Descent.Nn;

/// <summary>
/// 2-D average pooling, <c>torch.nn.AvgPool2d</c>: x [N, C, H, W] → [N, C, OH, OW], the mean of each KH × KW window moved by
/// the stride (default: the kernel size); padded cells count as zeros in the divisor when <see cref="CountIncludePad"/>
/// (PyTorch's default). See <see cref="Ops.AvgPool2d(Tensor, ValueTuple{int, int}, Nullable{ValueTuple{int, int}}, ValueTuple{int, int}, bool)"/>. No parameters.
/// </summary>
public sealed class AvgPool2d : Module
{
    /// <summary>Window (KH, KW).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step (SH, SW).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zero padding (PH, PW) on each side, at most half the kernel.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Whether the divisor is KH·KW (true) or the number of cells inside the input (false).</summary>
    public bool CountIncludePad { get; }

    /// <summary>A square window of <paramref name="kernelSize"/>; the stride defaults to it.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true)
        : this((kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding), countIncludePad) { }

    /// <summary>A KH × KW window; the stride defaults to it.</summary>
    public AvgPool2d((int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default, bool countIncludePad = true)
    {
        (KernelSize, Stride, Padding, CountIncludePad) = (kernelSize, stride ?? kernelSize, padding, countIncludePad);
        Pool2dText.Check(TypeName, KernelSize, Stride, Padding);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.AvgPool2d(KernelSize, Stride, Padding, CountIncludePad);

    /// <inheritdoc/>
    public override string ToString() =>
        $"AvgPool2d(kernel_size={Pool2dText.Pair(KernelSize)}, stride={Pool2dText.Pair(Stride)}, padding={Pool2dText.Pair(Padding)}" +
        (CountIncludePad ? ")" : ", count_include_pad=False)");
}
