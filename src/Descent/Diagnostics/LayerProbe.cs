using Descent.Nn;

namespace Descent.Diagnostics;

/// <summary>
/// Runs a <see cref="Sequential"/> model layer by layer and keeps the output of every probe point — each activation
/// module and each residual block at the top level — with <see cref="Tensor.RetainGrad"/> set, so that after
/// <c>loss.Backward()</c> the gradient reaching that layer can be read too. This is the hook mechanism of the
/// diagnostics (PyTorch would use <c>register_forward_hook</c> and <c>retain_grad</c>).
/// </summary>
public sealed class LayerProbe
{
    private readonly Sequential _model;
    private readonly List<(int Child, string Kind, Module? Weighted)> _points = [];
    private readonly List<Tensor> _outputs = [];

    /// <summary>Finds the probe points of <paramref name="model"/>.</summary>
    public LayerProbe(Sequential model)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Module? lastWeighted = null;
        for (int i = 0; i < model.Count; i++)
        {
            var layer = model[i];
            if (WeightOf(layer) is not null) lastWeighted = layer;
            string? kind = KindOf(layer);
            if (kind is null) continue;
            var weighted = layer is Residual r ? FirstWeighted(r.Body) : lastWeighted;
            _points.Add((i, kind, weighted));
            lastWeighted = null;
        }
        if (_points.Count == 0)
            throw new ArgumentException($"LayerProbe: the model has no activation or residual block at the top level to observe ({model.Count} layers: {string.Join(", ", model.Layers.Select(l => l.GetType().Name))}).");
    }

    /// <summary>Number of probe points.</summary>
    public int Count => _points.Count;

    /// <summary>
    /// The weight of the layer feeding each probe point — a Linear's [out, in] or a convolution's [out, in, kh, kw] (any
    /// layer but a batch norm with a parameter named <c>weight</c> of rank ≥ 2) — or null where there is none.
    /// </summary>
    public IReadOnlyList<Tensor?> Weights => _points.Select(p => p.Weighted is null ? null : WeightOf(p.Weighted)).ToList();

    /// <summary>The weight matrix or filter bank of <paramref name="m"/> (see <see cref="Weights"/>), or null.</summary>
    public static Tensor? WeightOf(Module m) => m switch
    {
        Linear l => l.Weight,
        Nn.BatchNorm => null,
        _ => m.NamedParameters().FirstOrDefault(p => p.Name == "weight" && p.Tensor.Rank >= 2).Tensor,
    };

    /// <summary>Forward pass that records the output of each probe point; returns the model's output.</summary>
    public Tensor Forward(Tensor x)
    {
        _outputs.Clear();
        int next = 0;
        x = _model.AsInput(x);                                           // a flat batch of images viewed as [N, C, H, W]
        for (int i = 0; i < _model.Count; i++)
        {
            x = _model[i].Call(x);
            if (next < _points.Count && _points[next].Child == i)
            {
                if (x.RequiresGrad) x.RetainGrad = true;
                Tape.Keep(x);                                            // read after the step: not a captured step's scratch
                _outputs.Add(x);
                next++;
            }
        }
        return x;
    }

    /// <summary>Statistics of the last forward (and, if one followed, backward) pass.</summary>
    public IReadOnlyList<LayerStatistics> Statistics(int sampleSize = 20_000)
    {
        if (_outputs.Count != _points.Count)
            throw new InvalidOperationException($"LayerProbe.Statistics: call Forward first (recorded {_outputs.Count} of {_points.Count} layers).");
        var result = new List<LayerStatistics>(_points.Count);
        for (int p = 0; p < _points.Count; p++)
        {
            var (child, kind, weighted) = _points[p];
            var weight = weighted is null ? null : WeightOf(weighted);
            var a = _outputs[p];
            double[] v = a.ToArray();
            var (mean, std) = LayerStatistics.Moments(v);
            double saturated = kind switch
            {
                "tanh" => v.Count(x => Math.Abs(x) > 0.99) / (double)v.Length,
                "sigmoid" => v.Count(x => x < 0.01 || x > 0.99) / (double)v.Length,
                _ => 0,
            };
            bool reluFamily = kind is "relu" or "leaky_relu" or "elu" or "gelu";
            double dead = reluFamily && a.Rank != 4 ? DeadUnits(v, a.Shape[0]) : 0;
            (double[] Means, double[] Stds) channels = ([], []);
            if (a.Rank == 4)                                                  // [N, C, H, W]: the unit is the channel
            {
                var (cm, cs, deadChannels) = LayerStatistics.ChannelMoments(v, a.Shape[0], a.Shape[1]);
                channels = (cm, cs);
                if (reluFamily) dead = deadChannels;
            }
            double gradStd = a.Grad is { } g ? LayerStatistics.Moments(g.ToArray()).Std : double.NaN;
            double wGrad = weight?.Grad is { } wg ? Norm(wg.ToArray()) : double.NaN;
            double wNorm = weight is null ? double.NaN : Norm(weight.ToArray());
            int stride = Math.Max(1, v.Length / sampleSize);
            var sample = v.Where((_, k) => k % stride == 0).ToArray();
            result.Add(new LayerStatistics(p + 1, child.ToString(System.Globalization.CultureInfo.InvariantCulture), kind, mean, std, saturated, dead,
                gradStd, wGrad, wNorm, double.NaN)
            { Sample = sample, Channels = channels.Means.Length, ChannelMeans = channels.Means, ChannelStds = channels.Stds });
        }
        return result;
    }

    /// <summary>Name of what a module computes, or null when it is not a probe point.</summary>
    public static string? KindOf(Module m) => m switch
    {
        Nn.Tanh => "tanh",
        Nn.Sigmoid => "sigmoid",
        ReLU => "relu",
        LeakyReLU => "leaky_relu",
        ELU => "elu",
        GELU => "gelu",
        Residual => "residual",
        _ => null,
    };

    private static double DeadUnits(double[] v, int batch)
    {
        int units = v.Length / Math.Max(1, batch), dead = 0;
        for (int j = 0; j < units; j++)
        {
            bool alive = false;
            for (int i = 0; i < batch && !alive; i++) alive = v[i * units + j] > 0;
            if (!alive) dead++;
        }
        return units == 0 ? 0 : dead / (double)units;
    }

    private static Module? FirstWeighted(Module m)
    {
        if (WeightOf(m) is not null) return m;
        foreach (var (_, child) in m.NamedChildren())
            if (FirstWeighted(child) is { } found) return found;
        return null;
    }

    internal static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));
}
