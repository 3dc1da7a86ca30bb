using Descent.Diagnostics;
using Descent.Init;
using Descent.Nn;
using Descent.Plotting;

namespace Descent.Lab;

/// <summary>One network of the initialization experiment.</summary>
/// <param name="Name">Label (legend, file name).</param>
/// <param name="InputDim">Width of the unit-normal input.</param>
/// <param name="Hidden">Widths of the hidden layers (each Linear [→ BatchNorm1d] → activation).</param>
/// <param name="Activation">tanh, relu, sigmoid, …</param>
/// <param name="Init">Initializer in text form (normal:0.01, xavier, he, …).</param>
/// <param name="Samples">Rows of the input batch.</param>
/// <param name="BatchNorm">BatchNorm1d before each activation.</param>
public sealed record InitConfig(string Name, int InputDim, int[] Hidden, string Activation, string Init, int Samples, bool BatchNorm);

/// <summary>The per-layer statistics of one network at initialization.</summary>
public sealed record InitRun(InitConfig Config, IReadOnlyList<LayerStatistics> Layers);

/// <summary>What <c>descent lab init</c> measured.</summary>
public sealed record InitResult(IReadOnlyList<InitRun> Runs, [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// The notes' initialization experiment: a deep MLP fed a unit-normal batch, x ~ N(0, 1) of shape [samples, input];
/// per layer the mean and std of the activations, the share of saturated tanh/sigmoid units, the share of dead ReLUs,
/// and the std of the gradient on the way back (from L = Σ y ⊙ r with r ~ N(0, 1) at the output).
/// With N(0, 0.01²) weights and tanh each layer multiplies the std by about 0.01·√fan_in (0.22 for width 500), so the
/// activations collapse towards 0 layer after layer; N(0, 1) saturates tanh; Xavier keeps tanh's spread; Xavier with
/// ReLU halves the variance at each layer (collapse with depth) and He (variance 2/fan_in) keeps it; BatchNorm before
/// each activation restores unit spread whatever the weights.
/// </summary>
public static class InitLab
{
    /// <summary>The comparison of the notes: normal 0.01 / 0.05 / 1 with tanh, Xavier with tanh and ReLU, He with ReLU
    /// (each also with batch norm when <paramref name="batchNorm"/>).</summary>
    public static IReadOnlyList<InitConfig> Presets(int inputDim, int[] hidden, int samples, bool batchNorm)
    {
        (string Init, string Act)[] pairs =
            [("normal:0.01", "tanh"), ("normal:0.05", "tanh"), ("normal:1", "tanh"), ("xavier", "tanh"), ("xavier", "relu"), ("he", "relu")];
        var list = new List<InitConfig>();
        foreach (var (init, act) in pairs)
        {
            list.Add(new InitConfig($"{init} {act}", inputDim, hidden, act, init, samples, false));
            if (batchNorm) list.Add(new InitConfig($"{init} {act} +BN", inputDim, hidden, act, init, samples, true));
        }
        return list;
    }

    /// <summary>Builds the network of <paramref name="c"/> (seeded), runs one forward and backward pass, and measures each layer.</summary>
    public static InitRun Measure(InitConfig c, ulong seed)
    {
        if (c.InputDim <= 0 || c.Samples <= 1 || c.Hidden.Length == 0 || c.Hidden.Any(w => w <= 0))
            throw new ArgumentException($"InitLab: need input > 0, samples > 1 and positive hidden widths, got input {c.InputDim}, samples {c.Samples}, widths [{string.Join(",", c.Hidden)}].");
        var rng = new Rng(seed);
        var init = Initializer.Parse(c.Init);
        int[] widths = [c.InputDim, .. c.Hidden, c.Hidden[^1]];
        var model = Mlp.Create(widths, c.Activation, init, c.BatchNorm, 0, rng);
        var probe = new LayerProbe(model);
        var x = Tensor.Normal(new Rng(seed, 1), 0, 1, DType.Float32, c.Samples, c.InputDim);       // [samples, input]
        var y = probe.Forward(x);                                                                     // [samples, last]
        var r = Tensor.Normal(new Rng(seed, 2), 0, 1, DType.Float32, y.ShapeArray);
        y.Mul(r).Sum().Backward();
        return new InitRun(c, probe.Statistics());
    }

    /// <summary>Measures every configuration and draws the figures.</summary>
    public static InitResult Run(IReadOnlyList<InitConfig> configs, ulong seed)
    {
        var runs = configs.Select(c => Measure(c, seed)).ToList();
        var figures = new List<Figure>();
        foreach (var run in runs)
        {
            var c = run.Config;
            var grid = new HistogramGrid
            {
                Title = $"Activations per layer — {c.Name} ({string.Join("-", c.Hidden)}, {c.Samples} samples)",
                XLabel = c.Activation is "relu" ? "activation value (> 0)" : "activation value",
                Columns = Math.Min(run.Layers.Count, 6),
                XRange = c.Activation is "tanh" ? (-1, 1) : c.Activation is "sigmoid" ? (0, 1) : null,
            };
            bool relu = c.Activation is "relu";
            foreach (var l in run.Layers) grid.Add($"layer {l.Index}", relu ? l.Sample.Where(v => v > 0) : l.Sample);
            figures.Add(new Figure($"init-{Slug(c.Name)}.svg", $"Histograms: {c.Name}",
                "Each panel is one hidden layer's outputs at initialization" + (relu ? " (the zeros of ReLU, about half the values, are left out so the rest stays visible)." : "."), grid.ToSvg()));
        }
        figures.Add(PerLayer(runs, "init-std.svg", "Activation std per layer", "std of activations (log)", l => l.Std,
            "How the spread of the activations evolves with depth for each initialization."));
        figures.Add(PerLayer(runs, "init-grad.svg", "Gradient std per layer (backward pass)", "std of ∂L/∂activation (log)", l => l.GradientStd,
            "The gradient reaching each layer; small values near layer 1 mean the first layers barely learn."));
        var sat = new LineChart { Title = "Saturated (tanh/sigmoid) or dead (ReLU) share per layer", XLabel = "layer", YLabel = "fraction of units", YRange = (0, 1) };
        foreach (var run in runs)
            sat.Add(Series.Indexed(run.Config.Name, run.Layers.Select(l => l.SaturatedFraction + l.DeadFraction).ToList(), 1, run.Config.BatchNorm ? "6 3" : null, markers: true));
        figures.Add(new Figure("init-saturation.svg", "Saturated or dead units per layer", "tanh/sigmoid outputs within 1 % of their limits, or ReLU units that are zero for every sample.", sat.ToSvg()));
        return new InitResult(runs, figures);
    }

    private static Figure PerLayer(IReadOnlyList<InitRun> runs, string file, string title, string yLabel, Func<LayerStatistics, double> pick, string caption)
    {
        var chart = new LineChart { Title = title, XLabel = "layer", YLabel = yLabel, YScale = AxisScale.Log };
        var families = runs.Select(r => (r.Config.Init, r.Config.Activation)).Distinct().ToList();
        foreach (var run in runs)
            chart.Add(Series.Indexed(run.Config.Name, run.Layers.Select(pick).ToList(), 1, run.Config.BatchNorm ? "6 3" : null, markers: true)
                with { Color = Palette.Color(families.IndexOf((run.Config.Init, run.Config.Activation))) });
        return new Figure(file, title, caption, chart.ToSvg());
    }

    /// <summary>A file-name-safe form of a label.</summary>
    public static string Slug(string s) =>
        string.Join("-", new string(s.Select(ch => char.IsLetterOrDigit(ch) || ch == '.' ? char.ToLowerInvariant(ch) : '-').ToArray())
            .Split('-', StringSplitOptions.RemoveEmptyEntries)).Replace("+", "");
}
