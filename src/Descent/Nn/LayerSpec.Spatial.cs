using System.Globalization;
using Descent.Init;
using Descent.Optim;

namespace Descent.Nn;

/// <summary>
/// The layers of a convolutional network in a <see cref="LayerListSpec"/>; the shape of one example flowing through is
/// [C, H, W] (the batch axis is not written):
/// <list type="table">
/// <item><term>conv:OUT[,k=3][,s=1][,p=0|same][,d=1][,g=1][,bias=true][,init=default]</term><description>Conv2d(C, OUT, k) (<see cref="Conv2d"/>); <c>p=same</c> is k/2 (odd k, stride 1 keeps H and W)</description></item>
/// <item><term>maxpool:K[,s=K][,p=0]</term><description>MaxPool2d(K) (<see cref="MaxPool2d"/>)</description></item>
/// <item><term>avgpool:K[,s=K][,p=0]</term><description>AvgPool2d(K) (<see cref="AvgPool2d"/>)</description></item>
/// <item><term>gap, adaptiveavgpool:OH[,OW]</term><description>AdaptiveAvgPool2d (<see cref="AdaptiveAvgPool2d"/>); <c>gap</c> is global average pooling, (1, 1)</description></item>
/// <item><term>bn</term><description>on [C, H, W]: BatchNorm2d(C) (<see cref="BatchNorm2d"/>)</description></item>
/// </list>
/// The first of them meets the data's example shape (e.g. [1, 28, 28]; an [H, W] image has one channel): the model's
/// <see cref="Sequential.InputShape"/> is set so a flat batch is viewed as [batch, C, H, W]. Output size of a window
/// along one axis: ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 (PyTorch's).
/// </summary>
public abstract partial record LayerSpec
{
    private static void RegisterSpatial()
    {
        Register(["conv", "conv2d"], s => ConvLayer.Parse(s));
        Register(["maxpool", "maxpool2d", "max_pool2d"], s => PoolLayer.Parse(s, PoolKind.Max));
        Register(["avgpool", "avgpool2d", "avg_pool2d"], s => PoolLayer.Parse(s, PoolKind.Average));
        Register(["gap", "adaptiveavgpool", "adaptiveavgpool2d", "adaptive_avg_pool2d"], s => AdaptivePoolLayer.Parse(s));
    }

    /// <summary>A whole number ≥ <paramref name="min"/> from key <paramref name="key"/>; errors quote the layer.</summary>
    private protected static int Whole(SpecText s, string key, int fallback, int min)
    {
        string? text = s.String(key, null);
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min ? v
            : throw new ArgumentException($"'{s.Text}': {key}={text}; expected a whole number ≥ {min}.");
    }

    /// <summary>The one positional whole number of <paramref name="s"/> (e.g. the channels of conv:32); <paramref name="what"/> names it.</summary>
    private protected static int Positional(SpecText s, string what, string example)
    {
        if (s.Positional.Count != 1 || !int.TryParse(s.Positional[0], NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < 1)
            throw new ArgumentException($"'{s.Text}': expected {what} as a whole number ≥ 1, e.g. {example}.");
        return v;
    }

    /// <summary>Output size of a window along one axis: ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1; an error when it is below 1.</summary>
    private protected static int WindowOutput(LayerBuild ctx, string layer, int n, int k, int s, int p, int d)
    {
        int o = (n + 2 * p - d * (k - 1) - 1) / s + 1;
        if (n + 2 * p - d * (k - 1) - 1 < 0 || o < 1)
            throw ModelSpec.Bad(ctx.Model, $"'{layer}' does not fit its input {Descent.Shape.Format(ctx.Shape)}: the window (k={k}, d={d}) is larger than the padded size {n + 2 * p}.");
        return o;
    }
}

/// <summary>The pooling of <see cref="PoolLayer"/>.</summary>
public enum PoolKind
{
    /// <summary>MaxPool2d.</summary>
    Max,

    /// <summary>AvgPool2d.</summary>
    Average,
}

/// <summary><c>conv:OUT[,k=3][,s=1][,p=0|same][,d=1][,g=1][,bias=true][,init=default]</c>: Conv2d(C, OUT, k) on [C, H, W].</summary>
/// <param name="Channels">Output channels.</param>
/// <param name="Kernel">Kernel size k (square).</param>
/// <param name="Stride">Stride s.</param>
/// <param name="Padding">Zero padding p on each side; −1 is "same" (k/2).</param>
/// <param name="Dilation">Dilation d.</param>
/// <param name="Groups">Groups g (in and out channels divisible by g).</param>
/// <param name="Bias">A bias per output channel.</param>
/// <param name="Init">Initializer of the weight as text; null is PyTorch's default (kaiming_uniform, a = √5).</param>
public sealed record ConvLayer(int Channels, int Kernel = 3, int Stride = 1, int Padding = 0, int Dilation = 1, int Groups = 1, bool Bias = true, string? Init = null) : LayerSpec
{
    internal static ConvLayer Parse(SpecText s)
    {
        s.Accept("k", "s", "p", "d", "g", "bias", "init");
        int k = Whole(s, "k", 3, 1);
        int p = s.String("p", null) is "same" ? -1 : Whole(s, "p", 0, 0);
        if (p == -1 && k % 2 == 0) throw new ArgumentException($"'{s.Text}': p=same needs an odd kernel size, got k={k}.");
        string? init = s.String("init", null);
        if (init is not null) LinearLayer.CheckInit(init, $"'{s.Text}': ");
        return new ConvLayer(Positional(s, "the output channels", "conv:32,k=3,p=1"), k, Whole(s, "s", 1, 1), p, Whole(s, "d", 1, 1), Whole(s, "g", 1, 1),
            s.Bool("bias", true), init is "default" or "pytorch" ? null : init);
    }

    /// <inheritdoc/>
    public override Module Build(LayerBuild ctx)
    {
        var (c, h, w) = ctx.Image(ToString());
        int p = Padding < 0 ? Kernel / 2 : Padding;
        if (c % Groups != 0 || Channels % Groups != 0)
            throw ModelSpec.Bad(ctx.Model, $"'{this}': groups={Groups} must divide the input channels ({c}) and the output channels ({Channels}).");
        ctx.Shape = [Channels, WindowOutput(ctx, ToString(), h, Kernel, Stride, p, Dilation), WindowOutput(ctx, ToString(), w, Kernel, Stride, p, Dilation)];
        var init = Init is null ? null : InitializerSpec.Parse(Init);
        return new Conv2d(c, Channels, Kernel, ctx.Rng, Stride, p, Dilation, Groups, Bias, init, init is null ? null : Initializer.Zeros, ctx.DType);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var keys = new List<string> { Channels.ToString(CultureInfo.InvariantCulture) };
        if (Kernel != 3) keys.Add("k=" + Kernel.ToString(CultureInfo.InvariantCulture));
        if (Stride != 1) keys.Add("s=" + Stride.ToString(CultureInfo.InvariantCulture));
        if (Padding != 0) keys.Add("p=" + (Padding < 0 ? "same" : Padding.ToString(CultureInfo.InvariantCulture)));
        if (Dilation != 1) keys.Add("d=" + Dilation.ToString(CultureInfo.InvariantCulture));
        if (Groups != 1) keys.Add("g=" + Groups.ToString(CultureInfo.InvariantCulture));
        if (!Bias) keys.Add("bias=false");
        if (Init is not null) keys.Add("init=" + (Init.Contains(',') ? $"({Init})" : Init));
        return "conv:" + string.Join(",", keys);
    }
}

/// <summary><c>maxpool:K[,s=K][,p=0]</c>, <c>avgpool:K[,s=K][,p=0]</c>: a K×K window, stride s (default K), zero or −∞ padding p ≤ K/2.</summary>
public sealed record PoolLayer(PoolKind Kind, int Kernel, int Stride, int Padding = 0) : LayerSpec
{
    internal static PoolLayer Parse(SpecText s, PoolKind kind)
    {
        s.Accept("s", "p");
        int k = Positional(s, "the window size", kind == PoolKind.Max ? "maxpool:2" : "avgpool:2");
        int p = Whole(s, "p", 0, 0);
        if (p > k / 2) throw new ArgumentException($"'{s.Text}': padding p={p} must be at most half the window ({k / 2}), as in PyTorch.");
        return new PoolLayer(kind, k, Whole(s, "s", k, 1), p);
    }

    /// <inheritdoc/>
    public override Module Build(LayerBuild ctx)
    {
        var (c, h, w) = ctx.Image(ToString());
        ctx.Shape = [c, WindowOutput(ctx, ToString(), h, Kernel, Stride, Padding, 1), WindowOutput(ctx, ToString(), w, Kernel, Stride, Padding, 1)];
        return Kind == PoolKind.Max ? new MaxPool2d(Kernel, Stride, Padding) : new AvgPool2d(Kernel, Stride, Padding);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string text = (Kind == PoolKind.Max ? "maxpool:" : "avgpool:") + Kernel.ToString(CultureInfo.InvariantCulture);
        if (Stride != Kernel) text += ",s=" + Stride.ToString(CultureInfo.InvariantCulture);
        if (Padding != 0) text += ",p=" + Padding.ToString(CultureInfo.InvariantCulture);
        return text;
    }
}

/// <summary><c>gap</c> or <c>adaptiveavgpool:OH[,OW]</c>: AdaptiveAvgPool2d to OH × OW (global average pooling: 1 × 1).</summary>
public sealed record AdaptivePoolLayer(int Height, int Width) : LayerSpec
{
    internal static AdaptivePoolLayer Parse(SpecText s)
    {
        s.Accept();
        if (s.Name == "gap")
        {
            if (s.Positional.Count > 0) throw new ArgumentException($"'{s.Text}': gap (global average pooling) takes no value; for another size use adaptiveavgpool:OH,OW.");
            return new AdaptivePoolLayer(1, 1);
        }
        var sizes = s.Positional.Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n
            : throw new ArgumentException($"'{s.Text}': '{v}' is not an output size; expected whole numbers ≥ 1, e.g. adaptiveavgpool:1 or adaptiveavgpool:2,2.")).ToArray();
        return sizes switch
        {
            [var n] => new AdaptivePoolLayer(n, n),
            [var oh, var ow] => new AdaptivePoolLayer(oh, ow),
            _ => throw new ArgumentException($"'{s.Text}': expected the output size OH or OH,OW, e.g. adaptiveavgpool:1."),
        };
    }

    /// <inheritdoc/>
    public override Module Build(LayerBuild ctx)
    {
        var (c, _, _) = ctx.Image(ToString());
        ctx.Shape = [c, Height, Width];
        return new AdaptiveAvgPool2d((Height, Width));
    }

    /// <inheritdoc/>
    public override string ToString() => (Height, Width) switch
    {
        (1, 1) => "gap",
        _ when Height == Width => "adaptiveavgpool:" + Height.ToString(CultureInfo.InvariantCulture),
        _ => $"adaptiveavgpool:{Height.ToString(CultureInfo.InvariantCulture)},{Width.ToString(CultureInfo.InvariantCulture)}",
    };
}
