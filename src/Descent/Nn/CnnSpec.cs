using System.Globalization;
using Descent.Optim;

namespace Descent.Nn;

/// <summary>
/// The convolutional network shorthand: <c>cnn[:C1,C2,…][,k=3][,bn=true][,fc=128][,dropout=0.3]</c>. Each Cᵢ is a block
/// Conv2d(k×k, Cᵢ channels, "same" padding) [→ BatchNorm2d] → ReLU → MaxPool2d(2), then Flatten → Linear(fc) → ReLU
/// [→ Dropout] → Linear to the outputs. The default, <c>cnn</c> = <c>cnn:32,64,fc=128,dropout=0.3</c>, is the peer's
/// model in <c>shared/anchors/torch_fmnist.py</c> on [N, 1, 28, 28]: 28 → 14 → 7, so the first Linear takes 64·7·7.
/// Weights start as PyTorch's defaults (kaiming_uniform, a = √5), as the peer's do.
/// </summary>
public sealed record CnnSpec : ModelSpec
{
    /// <summary>Output channels of the convolution blocks.</summary>
    public int[] Channels { get; init; } = [32, 64];

    /// <summary>Kernel size of every convolution (odd: "same" padding k/2).</summary>
    public int Kernel { get; init; } = 3;

    /// <summary>BatchNorm2d after each convolution.</summary>
    public bool BatchNorm { get; init; } = true;

    /// <summary>Width of the hidden fully connected layer (0: none, the pooled features go straight to the outputs).</summary>
    public int Fc { get; init; } = 128;

    /// <summary>Dropout probability after the hidden fully connected layer.</summary>
    public double Dropout { get; init; } = 0.3;

    private static readonly string[] Keys = ["k", "bn", "fc", "dropout"];

    internal static CnnSpec ParseCnn(string text)
    {
        var s = SpecText.Parse(text, "model", positional: true);
        s.Accept(Keys);
        var channels = s.Positional.Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
            : throw Bad(text, $"'{c}' is not a channel count; expected whole numbers ≥ 1, e.g. cnn:32,64.")).ToArray();
        long fc = s.Long("fc", 128), k = s.Long("k", 3);
        var spec = new CnnSpec
        {
            Channels = channels.Length == 0 ? [32, 64] : channels,
            Kernel = k is >= 1 and <= 99 ? (int)k : throw Bad(text, $"k={k}; expected an odd kernel size such as 3 or 5."),
            BatchNorm = s.Bool("bn", true),
            Fc = fc is >= 0 and <= 1 << 20 ? (int)fc : throw Bad(text, $"fc={fc}; expected a width ≥ 0 (0: no hidden layer)."),
            Dropout = s.Double("dropout", 0.3),
        };
        return spec.Checked(text);
    }

    private CnnSpec Checked(string text)
    {
        if (Kernel % 2 == 0) throw Bad(text, $"k={Kernel}; expected an odd kernel size (the blocks pad k/2 to keep the image size).");
        if (!(Dropout >= 0 && Dropout < 1)) throw Bad(text, $"dropout={Dropout.ToString(CultureInfo.InvariantCulture)}; expected a probability in [0, 1).");
        if (Channels.Length > 16) throw Bad(text, $"{Channels.Length} blocks; each halves the image, so at most 16.");
        return this;
    }

    /// <inheritdoc/>
    public override LayerListSpec Layers
    {
        get
        {
            var layers = new List<LayerSpec>();
            foreach (int c in Channels)
            {
                layers.Add(new ConvLayer(c, Kernel, Padding: -1));
                if (BatchNorm) layers.Add(new BatchNormLayer());
                layers.Add(new ActivationLayer("relu"));
                layers.Add(new PoolLayer(PoolKind.Max, 2, 2));
            }
            layers.Add(new FlattenLayer());
            if (Fc > 0)
            {
                layers.Add(new LinearLayer(Fc, Init: "default"));
                layers.Add(new ActivationLayer("relu"));
                if (Dropout > 0) layers.Add(new DropoutLayer(Dropout));
            }
            layers.Add(new LinearLayer(null, Init: "default"));
            return new LayerListSpec(layers);
        }
    }

    /// <inheritdoc/>
    internal override Training.TrainingRecipe? Recipe => Training.TrainingRecipe.Cnn;

    /// <summary>The canonical text: the channels when not 32,64, then the keys that differ from their defaults.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (!Channels.SequenceEqual([32, 64])) parts.AddRange(Channels.Select(c => c.ToString(CultureInfo.InvariantCulture)));
        if (Kernel != 3) parts.Add("k=" + Kernel.ToString(CultureInfo.InvariantCulture));
        if (!BatchNorm) parts.Add("bn=false");
        if (Fc != 128) parts.Add("fc=" + Fc.ToString(CultureInfo.InvariantCulture));
        if (Dropout != 0.3) parts.Add("dropout=" + Dropout.ToString("R", CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "cnn" : "cnn:" + string.Join(",", parts);
    }

    /// <summary>Equal when the canonical texts are.</summary>
    public bool Equals(CnnSpec? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
