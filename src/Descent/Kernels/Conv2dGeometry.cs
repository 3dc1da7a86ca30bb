namespace Descent.Kernels;

/// <summary>
/// The sizes of one 2-D convolution (NCHW), as the convolution kernels take them: x [N, Cin, H, W],
/// weight [Cout, Cin/groups, kh, kw], y [N, Cout, Hout, Wout] with PyTorch's output size
/// Hout = ⌊(H + 2·padH − dilationH·(kh − 1) − 1)/strideH⌋ + 1 (and likewise Wout).
/// </summary>
/// <param name="Batch">N.</param>
/// <param name="InChannels">Cin (a multiple of <paramref name="Groups"/>).</param>
/// <param name="Height">H of the input.</param>
/// <param name="Width">W of the input.</param>
/// <param name="OutChannels">Cout (a multiple of <paramref name="Groups"/>).</param>
/// <param name="KernelH">kh.</param>
/// <param name="KernelW">kw.</param>
/// <param name="StrideH">Step between output rows, in input rows (≥ 1).</param>
/// <param name="StrideW">Step between output columns (≥ 1).</param>
/// <param name="PadH">Zero rows added above and below (≥ 0).</param>
/// <param name="PadW">Zero columns added left and right (≥ 0).</param>
/// <param name="DilationH">Spacing between kernel rows (≥ 1).</param>
/// <param name="DilationW">Spacing between kernel columns (≥ 1).</param>
/// <param name="Groups">Channel groups: group g maps input channels [g·Cin/groups, (g+1)·Cin/groups) to output channels [g·Cout/groups, …).</param>
internal readonly record struct Conv2dGeometry(int Batch, int InChannels, int Height, int Width, int OutChannels, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW, int Groups)
{
    /// <summary>Hout = ⌊(H + 2·padH − dilationH·(kh − 1) − 1)/strideH⌋ + 1 (≤ 0 when the kernel does not fit).</summary>
    public int OutHeight => OutSize(Height, KernelH, StrideH, PadH, DilationH);

    /// <summary>Wout, as <see cref="OutHeight"/>.</summary>
    public int OutWidth => OutSize(Width, KernelW, StrideW, PadW, DilationW);

    /// <summary>Input channels per group: Cin/groups.</summary>
    public int GroupIn => InChannels / Groups;

    /// <summary>Output channels per group: Cout/groups.</summary>
    public int GroupOut => OutChannels / Groups;

    /// <summary>Rows of one group's im2col matrix, the length of a filter: K = (Cin/groups)·kh·kw.</summary>
    public int FilterLength => GroupIn * KernelH * KernelW;

    /// <summary>Output positions per channel: P = Hout·Wout.</summary>
    public int OutPlane => OutHeight * OutWidth;

    /// <summary>Elements of x, weight and y.</summary>
    public long InputLength => (long)Batch * InChannels * Height * Width;

    /// <inheritdoc cref="InputLength"/>
    public long WeightLength => (long)OutChannels * FilterLength;

    /// <inheritdoc cref="InputLength"/>
    public long OutputLength => (long)Batch * OutChannels * OutPlane;

    /// <summary>A 1×1 kernel with stride 1 and no padding: the im2col matrix of a sample is the sample itself.</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0;

    /// <summary>PyTorch's output size along one axis: ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1, with floor division (so a kernel that does not fit gives ≤ 0).</summary>
    public static int OutSize(int n, int k, int s, int p, int d)
    {
        long span = (long)n + 2L * p - (long)d * (k - 1) - 1;
        return span < 0 ? 0 : (int)(span / s + 1);
    }

    /// <summary>Throws unless the spans fit these sizes (a kernel's own check; the op reports shape errors to users first).</summary>
    internal void CheckSpans(int x, int weight, int y, string kernel)
    {
        if (Batch < 0 || Groups < 1 || InChannels % Groups != 0 || OutChannels % Groups != 0 || StrideH < 1 || StrideW < 1 || DilationH < 1 || DilationW < 1 || PadH < 0 || PadW < 0)
            throw new ArgumentException($"{kernel}: invalid geometry {this}.");
        if (x != InputLength || weight != WeightLength || y != OutputLength)
            throw new ArgumentException($"{kernel}: spans of {x}, {weight}, {y} elements do not fit {this} (expected {InputLength}, {WeightLength}, {OutputLength}).");
    }
}
