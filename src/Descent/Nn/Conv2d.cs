using Descent.Init;

namespace Descent.Nn;

/// <summary>
/// 2-D convolution layer, <c>torch.nn.Conv2d</c> (zero padding): y = conv2d(x, W) + b (see <see cref="Ops.Conv2d(Tensor, Tensor, Tensor?, int, int, int, int)"/>),
/// W [out, in/groups, kh, kw], b [out]; x [N, in, H, W] → y [N, out, Hout, Wout], Hout = ⌊(H + 2p − d(kh − 1) − 1)/s⌋ + 1.
/// </summary>
/// <remarks>
/// Default initialization is PyTorch's: W ~ U(±1/√fan_in) (kaiming_uniform with a = √5) and b ~ U(±1/√fan_in), with
/// fan_in = in/groups·kh·kw (<see cref="Fans"/>, <see cref="VarianceScaling.TorchDefault"/>). The bias initializer sees the weight's fans.
/// </remarks>
public sealed class Conv2d : Module
{
    /// <summary>W [out, in/groups, kh, kw].</summary>
    public Tensor Weight { get; private set; }

    /// <summary>b [out], or null without bias.</summary>
    public Tensor? Bias { get; private set; }

    /// <summary>Input and output channels.</summary>
    public int InChannels { get; }

    /// <inheritdoc cref="InChannels"/>
    public int OutChannels { get; }

    /// <summary>(kh, kw).</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step between outputs, in input pixels.</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zeros added on each side.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Spacing between kernel taps.</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Channel groups (in and out channels are split into this many independent convolutions).</summary>
    public int Groups { get; }

    /// <summary>A Conv2d layer with a square kernel, stride, padding and dilation (null initializers = PyTorch's default).</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, Rng rng, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, Initializer? weightInit = null, Initializer? biasInit = null, DType dtype = DType.Float32)
        : this(inChannels, outChannels, (kernelSize, kernelSize), rng, (stride, stride), (padding, padding), (dilation, dilation), groups, bias, weightInit, biasInit, dtype)
    {
    }

    /// <summary>A Conv2d layer with (height, width) kernel size, stride, padding and dilation.</summary>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, Rng rng, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation,
        int groups = 1, bool bias = true, Initializer? weightInit = null, Initializer? biasInit = null, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: in and out channels must be > 0 and multiples of groups, got in {inChannels}, out {outChannels}, groups {groups}.");
        if (kernelSize.H < 1 || kernelSize.W < 1 || stride.H < 1 || stride.W < 1 || padding.H < 0 || padding.W < 0 || dilation.H < 1 || dilation.W < 1)
            throw new ArgumentException($"Conv2d: expected kernel_size ≥ 1, stride ≥ 1, padding ≥ 0, dilation ≥ 1, got kernel_size {kernelSize}, stride {stride}, padding {padding}, dilation {dilation}.");
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        int[] shape = [outChannels, inChannels / groups, kernelSize.H, kernelSize.W];
        var fans = Fans.Of(shape);
        Weight = RegisterParameter("weight", (weightInit ?? VarianceScaling.TorchDefault()).Initialize(Tensor.Zeros(dtype, shape), rng, fans));
        if (bias) Bias = RegisterParameter("bias", (biasInit ?? VarianceScaling.TorchDefault()).Initialize(Tensor.Zeros(dtype, outChannels), rng, fans));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x) => x.Conv2d(Weight, Bias, Stride, Padding, Dilation, Groups);   // [N, in, H, W] → [N, out, Hout, Wout]

    /// <summary>
    /// This layer, then <paramref name="bn"/> in evaluation mode (then a ReLU with <paramref name="relu"/>), as one op where
    /// nothing needs a gradient: the batch norm folded into the convolution's epilogue (<see cref="Ops.Conv2dBatchNormEval"/>).
    /// The same numbers as the layers one after the other.
    /// </summary>
    internal Tensor ForwardBatchNorm(Tensor x, BatchNorm2d bn, bool relu)
    {
        if (bn.Training || bn.NumFeatures != OutChannels) { var y = Forward(x); return relu ? bn.ForwardRelu(y) : bn.Forward(y); }
        return x.Conv2dBatchNormEval(Weight, Bias, Stride, Padding, Dilation, Groups, bn.RunningMean, bn.RunningVar, bn.Weight, bn.Bias, bn.Eps, relu);
    }

    /// <inheritdoc/>
    protected override void OnTensorReplaced(string name, Tensor tensor)
    {
        if (name == "weight") Weight = tensor; else if (name == "bias") Bias = tensor;
    }

    /// <summary>PyTorch's repr: <c>Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))</c> (defaults left out, as there).</summary>
    public override string ToString()
    {
        static string Pair((int H, int W) p) => $"({p.H}, {p.W})";
        var s = $"Conv2d({InChannels}, {OutChannels}, kernel_size={Pair(KernelSize)}, stride={Pair(Stride)}";
        if (Padding != (0, 0)) s += $", padding={Pair(Padding)}";
        if (Dilation != (1, 1)) s += $", dilation={Pair(Dilation)}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias is null) s += ", bias=False";
        return s + ")";
    }
}
