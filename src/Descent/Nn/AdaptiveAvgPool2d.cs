namespace Descent.Nn;

/// <summary>
/// Adaptive 2-D average pooling, <c>torch.nn.AdaptiveAvgPool2d</c>: x [N, C, H, W] → [N, C, OH, OW] for any H, W, each
/// output the mean of its bin (rows [⌊i·H/OH⌋, ⌈(i + 1)·H/OH⌉), columns likewise). <c>AdaptiveAvgPool2d(1)</c> is global
/// average pooling. See <see cref="Ops.AdaptiveAvgPool2d(Tensor, ValueTuple{int, int})"/>. No parameters.
/// </summary>
public sealed class AdaptiveAvgPool2d : Module
{
    /// <summary>Output size (OH, OW).</summary>
    public (int H, int W) OutputSize { get; }

    /// <summary>A square output of <paramref name="outputSize"/>.</summary>
    public AdaptiveAvgPool2d(int outputSize) : this((outputSize, outputSize)) { }

    /// <summary>An OH × OW output.</summary>
    public AdaptiveAvgPool2d((int H, int W) outputSize)
    {
        if (outputSize.H <= 0 || outputSize.W <= 0) throw new ArgumentException($"AdaptiveAvgPool2d: output_size must be > 0, got {Pool2dText.Pair(outputSize)}.");
        OutputSize = outputSize;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.AdaptiveAvgPool2d(OutputSize);

    /// <inheritdoc/>
    public override string ToString() => $"AdaptiveAvgPool2d(output_size={Pool2dText.Pair(OutputSize)})";
}
