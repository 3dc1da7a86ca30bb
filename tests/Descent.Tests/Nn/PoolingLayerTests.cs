using Descent.Nn;

namespace Descent.Tests.Nn;

/// <summary>The pooling layers: output shapes, PyTorch's repr, no parameters, and one-line errors for bad arguments.</summary>
public class PoolingLayerTests
{
    [Fact]
    public void ShapesFollowPyTorchsFormula()
    {
        var x = Tensor.Zeros(2, 3, 28, 28);
        Assert.Equal([2, 3, 14, 14], new MaxPool2d(2).Call(x).ShapeArray);
        Assert.Equal([2, 3, 14, 14], new MaxPool2d(3, 2, 1).Call(x).ShapeArray);          // ⌊(28 + 2 − 3)/2⌋ + 1
        Assert.Equal([2, 3, 9, 14], new AvgPool2d((3, 2), (3, 2), (0, 0)).Call(x).ShapeArray);
        Assert.Equal([2, 3, 1, 1], new AdaptiveAvgPool2d(1).Call(x).ShapeArray);
        Assert.Equal([2, 3, 5, 7], new AdaptiveAvgPool2d((5, 7)).Call(x).ShapeArray);
        Assert.Equal([2, 3, 3, 3], new MaxPool2d(2).Call(Tensor.Zeros(2, 3, 7, 6)).ShapeArray);   // floor: the odd row is dropped
    }

    [Fact]
    public void ReprIsPyTorchs()
    {
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2).ToString());
        Assert.Equal("MaxPool2d(kernel_size=(2, 3), stride=1, padding=(1, 0), dilation=1, ceil_mode=False)", new MaxPool2d((2, 3), (1, 1), (1, 0)).ToString());
        Assert.Equal("AvgPool2d(kernel_size=3, stride=2, padding=1)", new AvgPool2d(3, 2, 1).ToString());
        Assert.Equal("AvgPool2d(kernel_size=3, stride=3, padding=0, count_include_pad=False)", new AvgPool2d(3, countIncludePad: false).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=1)", new AdaptiveAvgPool2d(1).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=(2, 3))", new AdaptiveAvgPool2d((2, 3)).ToString());
        Assert.Empty(new MaxPool2d(2).Parameters);
        Assert.Empty(new AdaptiveAvgPool2d(1).StateDict());
    }

    [Fact]
    public void BadArgumentsAreOneClearLine()
    {
        Assert.Equal("MaxPool2d: padding must be between 0 and half the kernel size, got padding 2 for kernel_size 3.",
            Assert.Throws<ArgumentException>(() => new MaxPool2d(3, 1, 2)).Message);
        Assert.Equal("AvgPool2d: stride must be > 0, got 0.", Assert.Throws<ArgumentException>(() => new AvgPool2d(2, 0)).Message);
        Assert.Contains("output_size must be > 0", Assert.Throws<ArgumentException>(() => new AdaptiveAvgPool2d(0)).Message);
        Assert.Equal("max_pool2d: expected input [N, C, H, W], got [4, 5].", Assert.Throws<ShapeException>(() => new MaxPool2d(2).Call(Tensor.Zeros(4, 5))).Message);
        Assert.Equal("avg_pool2d: input [1, 1, 2, 2] is smaller than the kernel (3, 3) with padding (0, 0): the output would be empty.",
            Assert.Throws<ShapeException>(() => new AvgPool2d(3).Call(Tensor.Zeros(1, 1, 2, 2))).Message);
        Assert.Contains("padding must be between 0 and half", Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 1, 5, 5).MaxPool2d(2, 1, 2)).Message);
    }

    [Fact]
    public void MaxPoolNeverPicksPaddingAndBreaksTiesAtTheFirstCell()
    {
        // All negative: a zero-padded max would return 0 at the borders; PyTorch's −∞ padding returns an input value.
        var x = Tensor.From(new double[] { -5, -4, -3, -2 }, 1, 1, 2, 2);
        x.RequiresGrad = true;
        var y = x.MaxPool2d(3, 1, 1);                  // every window holds the whole input
        Assert.Equal([-2.0, -2, -2, -2], y.ToArray());
        // Ties: a window of equal values sends its gradient to its first cell (row-major), as PyTorch.
        var t = Tensor.From(new double[] { 1, 1, 1, 1 }, 1, 1, 2, 2);
        t.RequiresGrad = true;
        t.MaxPool2d(2).Sum().Backward();
        Assert.Equal([1.0, 0, 0, 0], t.Grad!.ToArray());
    }
}
