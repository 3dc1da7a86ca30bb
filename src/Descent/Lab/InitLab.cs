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
internal sealed record InitConfig(string Name, int InputDim, int[] Hidden, string Activation, string Init, int Samples, bool BatchNorm);

/// <summary>The per-layer statistics of one network at initialization.</summary>
internal sealed record InitRun(InitConfig Config, IReadOnlyList<LayerStatistics> Layers);

/// <summary>What <c>descent lab init</c> measured.</summary>
internal sealed record InitResult(IReadOnlyList<InitRun> Runs, [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// The notes' initialization experiment: a deep MLP fed a unit-normal batch, x ~ N(0, 1) of shape [samples, input];
/// per layer the mean and std of the activations, the share of saturated tanh/sigmoid units, the share of dead ReLUs,
/// and the std of the gradient on the way back (from L = Σ y ⊙ r with r ~ N(0, 1) at the output).
/// With N(0, 0.01²) weights and tanh each layer multiplies the std by about 0.01·√fan_in (0.22 for width 500), so the
/// activations collapse towards 0 layer after layer; N(0, 1) saturates tanh; Xavier keeps tanh's spread; Xavier with
/// ReLU halves the variance at each layer (collapse with depth) and He (variance 2/fan_in) keeps it; BatchNorm before
/// each activation restores unit spread whatever the weights.
/// </summary>
internal static class InitLab
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

    /// <summary>Measures every configuration and draws the figures; file names start with <paramref name="prefix"/> (one run's set never overwrites another's).</summary>
    public static InitResult Run(IReadOnlyList<InitConfig> configs, ulong seed, string prefix = "init")
    {
        var runs = configs.Select(c => Measure(c, seed)).ToList();
        var figures = new List<Figure>();
        foreach (var act in runs.Select(r => r.Config.Activation).Distinct())
        {
            var rows = runs.Where(r => r.Config.Activation == act).ToList();
            bool relu = act is "relu";
            var grid = new HistogramGrid
            {
                Title = $"{act}: activations per layer (rows: initialization; columns: layer; one shared x axis)",
                XLabel = "activation value",
                Columns = rows[0].Layers.Count,
                RowTitles = rows.Select(r => r.Config.Name).ToList(),
                XRange = act is "tanh" ? (-1, 1) : act is "sigmoid" ? (0, 1) : null,
                ZerosApart = relu,
                PanelWidth = 200,
                PanelHeight = 150,
            };
            foreach (var r in rows)
                foreach (var l in r.Layers) grid.Add($"layer {l.Index}", l.Sample);
            figures.Add(new Figure($"{prefix}-hist-{act}.svg", $"Histograms of {act} activations, all initializations on one x axis",
                relu ? "ReLU zeros are counted (grey bar at 0, with their share) and in the mean and std, which match the table; Xavier's spread shrinks layer after layer, He's stays."
                     : "Small weights squeeze the outputs towards 0 layer after layer; N(0, 1) pushes them to ±1 (saturated); Xavier keeps the spread.", grid.ToSvg()) { Wide = true });
        }
        figures.Add(PerLayer(runs, $"{prefix}-std.svg", "Activation std per layer", "std of activations (log)", l => l.Std,
            "How the spread of the activations evolves with depth for each initialization (dashed: with batch norm)."));
        figures.Add(PerLayer(runs, $"{prefix}-grad.svg", "Gradient std per layer (backward pass)", "std of ∂L/∂activation (log)", l => l.GradientStd,
            "The gradient reaching each layer; small values near layer 1 mean the first layers barely learn." + SaturatedTanhNote(runs)));
        var sat = new LineChart { Title = "Saturated (tanh/sigmoid) or dead (ReLU) share per layer", XLabel = "layer", YLabel = "fraction of units", YRange = (0, 1) };
        var families = runs.Select(r => (r.Config.Init, r.Config.Activation)).Distinct().ToList();
        foreach (var run in runs)
            sat.Add(Series.Indexed(run.Config.Name, run.Layers.Select(l => l.SaturatedFraction + l.DeadFraction).ToList(), 1, run.Config.BatchNorm ? "6 3" : null, markers: true)
                with { Color = Palette.Color(families.IndexOf((run.Config.Init, run.Config.Activation))) });
        figures.Add(new Figure($"{prefix}-saturation.svg", "Saturated or dead units per layer", "tanh/sigmoid outputs within 1 % of their limits, or ReLU units that are zero for every sample.", sat.ToSvg()));
        return new InitResult(runs, figures);
    }

    /// <summary>
    /// Why the gradient of the saturated N(0, 1) tanh network grows backward (the textbook expects saturation to kill it):
    /// Var(∂L/∂a_{l−1}) = n·Var(W)·E[f′(z)²]·Var(∂L/∂a_l); with n·Var(W) = fan_in the few unsaturated units still pass
    /// a gradient amplified by fan_in·E[f′²] &gt; 1. Empty when no such network was run.
    /// </summary>
    private static string SaturatedTanhNote(IReadOnlyList<InitRun> runs)
    {
        var big = runs.FirstOrDefault(r => r.Config.Init == "normal:1" && r.Config.Activation == "tanh" && !r.Config.BatchNorm);
        if (big is null || big.Layers.Count < 2) return "";
        var g = big.Layers.Select(l => l.GradientStd).ToList();
        double perLayer = Math.Pow(g[0] / g[^1], 1.0 / (g.Count - 1));
        double saturated = big.Layers.Average(l => l.SaturatedFraction);
        return $" Why does N(0, 1) tanh's gradient grow to {g[0]:0.#e0} at layer 1 while {saturated:0%} of its units are saturated? Backward, each layer multiplies " +
               $"the gradient's variance by fan_in·Var(W)·E[f′(z)²]: Var(W) = 1 is fan_in times too large, and the few unsaturated units (f′ ≈ 1) pass it on, so the " +
               $"product stays above 1 (here ×{perLayer:0.#} in std per layer). Saturation kills the gradient of the saturated units' weights, not the signal " +
               "through the rest: the network explodes and stalls at once, which is why it trains poorly.";
    }

    private static Figure PerLayer(IReadOnlyList<InitRun> runs, string file, string title, string yLabel, Func<LayerStatistics, double> pick, string caption)
    {
        var chart = new LineChart { Title = title, XLabel = "layer", YLabel = yLabel, YScale = AxisScale.Log, Height = 480 };
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
