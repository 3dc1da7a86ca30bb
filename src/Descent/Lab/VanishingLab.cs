using System.Globalization;
using Descent.Diagnostics;
using Descent.Init;
using Descent.Nn;
using Descent.Plotting;

namespace Descent.Lab;

/// <summary>How a stack is built.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<StackKind>))]
internal enum StackKind
{
    /// <summary>Linear → activation, repeated.</summary>
    Plain,
    /// <summary>Residual blocks x + f(Wx + b), W from the activation's usual initializer.</summary>
    Residual,
    /// <summary>Residual blocks whose branch weights are scaled by 1/√depth, so the sum of L branches keeps the variance.</summary>
    ScaledResidual,
}

/// <summary>Gradient norms per layer of one deep network at initialization.</summary>
/// <param name="Activation">sigmoid, tanh or relu.</param>
/// <param name="Depth">Number of hidden layers.</param>
/// <param name="Kind">Plain stack, residual, or residual with branches scaled by 1/√depth.</param>
/// <param name="Init">Initializer used.</param>
/// <param name="GradientNorms">‖∂L/∂Wₗ‖ for l = 1 … depth (first layer first).</param>
/// <param name="FirstToLast">‖∂L/∂W₁‖ / ‖∂L/∂W_depth‖.</param>
/// <param name="Bound">0.25^(depth − 1): the notes' bound on the sigmoid product over the layers between the two.</param>
/// <param name="OutputStd">Std of the last layer's outputs (the forward signal; the input has std 1).</param>
internal sealed record VanishingRun(string Activation, int Depth, StackKind Kind, string Init, double[] GradientNorms, double FirstToLast, double Bound, double OutputStd)
{
    /// <summary>Whether the blocks are residual.</summary>
    public bool Residual => Kind != StackKind.Plain;

    /// <summary>The verdict under <see cref="VanishingLab.Criterion"/>: vanishing, exploding or kept.</summary>
    public string Verdict => FirstToLast < 1e-2 ? "vanishing" : FirstToLast > 1e2 || OutputStd > 1e2 ? "exploding" : "kept";

    /// <summary>The kind as the table prints it.</summary>
    public string KindText => Kind switch { StackKind.Plain => "plain", StackKind.Residual => "residual", _ => "residual ×1/√L" };
}

/// <summary>What <c>descent lab vanishing</c> measured.</summary>
internal sealed record VanishingResult(int Width, int Samples, IReadOnlyList<VanishingRun> Runs,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// The vanishing gradient: backpropagation multiplies, layer by layer, by Wᵀ and by f′(z); for the sigmoid f′ ≤ 1/4, so
/// n sigmoid layers shrink the gradient by up to 0.25ⁿ (the notes' bound; Xavier weights do not make up for it), tanh
/// (f′ ≤ 1, = 1 only at 0) shrinks it less, and ReLU with He weights keeps it. A residual block H(x) = x + f(Wx + b) has
/// ∂H/∂x = I + ∂f/∂x: the identity path carries the gradient back, but with full-size branches each block also adds
/// the branch's variance, so the activations and the gradient grow like (1 + c)^L: deep ReLU residual stacks
/// <b>explode</b>. Scaling each branch by 1/√L (here: its weights, with gain/√L) keeps the sum's variance bounded and
/// the ratio near 1. Each network is a stack of Linear(width, width) → activation (float64, so tiny and huge norms stay
/// representable), fed x ~ N(0, 1) with L = Σ y ⊙ r at the output, r ~ N(0, 1).
/// </summary>
internal static class VanishingLab
{
    /// <summary>The one rule of the verdicts.</summary>
    public const string Criterion = "Verdict on r = ‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ and the output's std s (input std 1): vanishing if r < 1e-2; exploding if r > 1e2 or s > 1e2 (the forward signal blew up and every ∂L/∂W with it); kept otherwise.";

    /// <summary>Runs every (activation, depth, kind) combination.</summary>
    public static VanishingResult Run(IReadOnlyList<int> depths, IReadOnlyList<string> activations, int width, int samples, ulong seed, string? init = null)
    {
        if (depths.Count == 0 || depths.Any(d => d < 2)) throw new ArgumentException($"VanishingLab: depths must be ≥ 2, got [{string.Join(",", depths)}].");
        if (width <= 0 || samples <= 1) throw new ArgumentException($"VanishingLab: need width > 0 and samples > 1, got {width} and {samples}.");
        var runs = new List<VanishingRun>();
        foreach (string act in activations)
            foreach (int depth in depths)
                foreach (var kind in Enum.GetValues<StackKind>())
                    runs.Add(Measure(act, depth, kind, width, samples, seed, init ?? DefaultInit(act)));
        var figures = new List<Figure>();
        var grid = new PanelGrid { Title = "Gradient norm per layer, relative to the last layer (each panel on its own log axis)", Columns = Math.Min(3, activations.Count), PanelWidth = 470, PanelHeight = 420 };
        foreach (string act in activations) grid.Add(Chart(act, runs.Where(r => r.Activation == act).ToList(), depths));
        var ds = depths.OrderBy(d => d).ToList();
        for (int k = 0; k < ds.Count; k++)
            foreach (var kind in Enum.GetValues<StackKind>())
                grid.Legend($"depth {ds[k]}, {Kinds[(int)kind]}", Palette.Color(k), Dash(kind));
        grid.Legend("0.25ⁿ (sigmoid′ ≤ 1/4)", "#000", "2 3");
        figures.Add(new Figure("vanishing-layers.svg", "Vanishing and exploding gradients, layer by layer",
            "Solid: plain stacks; dashed: residual blocks x + f(Wx + b); dotted: residual blocks with branches ×1/√L. Plain sigmoid stacks vanish far below 1. " +
            "These curves are relative to the last layer: a full-size ReLU residual stack looks flat here because it explodes everywhere at once (‖∂L/∂W‖ ≈ 1e24 at depth 100, see the table).", grid.ToSvg()) { Wide = true });
        var summary = new LineChart { Title = "First-to-last gradient ratio ‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ by depth", XLabel = "depth (layers)", YLabel = "ratio (log)", YScale = AxisScale.Log };
        for (int a = 0; a < activations.Count; a++)
            foreach (var kind in Enum.GetValues<StackKind>())
            {
                var rs = runs.Where(r => r.Activation == activations[a] && r.Kind == kind).OrderBy(r => r.Depth).ToList();
                summary.Add(new Series($"{activations[a]}, {Kinds[(int)kind]}", rs.Select(r => (double)r.Depth).ToList(), rs.Select(r => r.FirstToLast).ToList(), Dash(kind), true)
                { Color = Palette.Color(a + 3) });
            }
        summary.HorizontalRule(1e2, "exploding above");
        summary.HorizontalRule(1e-2, "vanishing below");
        figures.Add(new Figure("vanishing-ratio.svg", "Gradient ratio first/last layer by depth",
            Criterion + " The ratio alone misses the ReLU residual explosion (both ends explode together): the table's verdict column uses the output's std too.", summary.ToSvg()));
        var size = new LineChart { Title = "Size of the gradient at the first layer, ‖∂L/∂W₁‖, by depth", XLabel = "depth (layers)", YLabel = "‖∂L/∂W₁‖ (log)", YScale = AxisScale.Log };
        for (int a = 0; a < activations.Count; a++)
            foreach (var kind in Enum.GetValues<StackKind>())
            {
                var rs = runs.Where(r => r.Activation == activations[a] && r.Kind == kind).OrderBy(r => r.Depth).ToList();
                size.Add(new Series($"{activations[a]}, {Kinds[(int)kind]}", rs.Select(r => (double)r.Depth).ToList(), rs.Select(r => r.GradientNorms[0]).ToList(), Dash(kind), true)
                { Color = Palette.Color(a + 3) });
            }
        figures.Add(new Figure("vanishing-size.svg", "How big the first layer's gradient is",
            "Vanishing (plain sigmoid: down to 1e-61) and exploding (full-size ReLU residual: up to 1e24) on one log axis; scaled residual branches stay within a few decades of the plain ReLU stack.", size.ToSvg()));
        return new VanishingResult(width, samples, runs, figures);
    }

    private static readonly string[] Kinds = ["plain", "residual", "residual ×1/√L"];

    private static string? Dash(StackKind kind) => kind switch { StackKind.Plain => null, StackKind.Residual => "7 4", _ => "2 2" };

    /// <summary>The initializer that suits each activation: Xavier for sigmoid/tanh, He for ReLU.</summary>
    public static string DefaultInit(string activation) => activation is "relu" or "leaky_relu" ? "he" : "xavier";

    /// <summary>
    /// The branch initializer of a scaled residual stack: Xavier-normal with gain g/√depth, g = √2 for ReLU (then, with
    /// equal fans, the He variance divided by depth) and 1 otherwise.
    /// </summary>
    public static string ScaledInit(string activation, int depth) =>
        "xavier-normal:" + ((activation is "relu" or "leaky_relu" ? Math.Sqrt(2) : 1) / Math.Sqrt(depth)).ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One network: builds it, runs forward and backward, and reads ‖∂L/∂W‖ per layer.</summary>
    public static VanishingRun Measure(string activation, int depth, StackKind kind, int width, int samples, ulong seed, string init)
    {
        var rng = new Rng(seed);
        if (kind == StackKind.ScaledResidual) init = ScaledInit(activation, depth);
        var initializer = Initializer.Parse(init);
        var model = new Sequential();
        for (int l = 0; l < depth; l++)
        {
            var body = new Sequential(new Linear(width, width, rng, true, initializer, Initializer.Zeros, DType.Float64), Nn.Activation.Create(activation));
            if (kind != StackKind.Plain) model.Add(new Residual(body));
            else foreach (var m in body.Layers) model.Add(m);
        }
        var probe = new LayerProbe(model);
        var x = Tensor.Normal(new Rng(seed, 1), 0, 1, DType.Float64, samples, width);     // [samples, width]
        var y = probe.Forward(x);
        var r = Tensor.Normal(new Rng(seed, 2), 0, 1, DType.Float64, y.ShapeArray);
        y.Mul(r).Sum().Backward();
        var stats = probe.Statistics(sampleSize: 1);
        var norms = stats.Select(s => s.WeightGradientNorm).ToArray();
        return new VanishingRun(activation, depth, kind, init, norms, norms[0] / norms[^1], Math.Pow(0.25, depth - 1), Std(y.ToArray()));
    }

    private static double Std(double[] v)
    {
        double m = v.Average();
        return Math.Sqrt(v.Sum(a => (a - m) * (a - m)) / v.Length);
    }

    private static LineChart Chart(string activation, IReadOnlyList<VanishingRun> runs, IReadOnlyList<int> depths)
    {
        var chart = new LineChart
        {
            Title = $"{activation} ({runs[0].Init} weights)",
            XLabel = "layers back from the output (n)",
            YLabel = "‖∂L/∂Wₗ‖ / ‖∂L/∂W_L‖ (log)",
            YScale = AxisScale.Log,
            ShowLegend = false,
        };
        var ds = depths.OrderBy(d => d).ToList();
        foreach (var r in runs)
        {
            int n = r.GradientNorms.Length;
            var back = Enumerable.Range(0, n).Select(k => (double)k).ToList();
            chart.Add(new Series($"depth {r.Depth} {r.KindText}", back, back.Select(k => r.GradientNorms[n - 1 - (int)k] / r.GradientNorms[^1]).ToList(), Dash(r.Kind))
            { Color = Palette.Color(ds.IndexOf(r.Depth)) });
        }
        if (activation == "sigmoid")
        {
            // The bound only down to the data's own floor, so it does not stretch the axis past what the runs reach.
            double floor = runs.SelectMany(r => r.GradientNorms.Select(g => g / r.GradientNorms[^1])).Where(v => v > 0).Min();
            var xs = Enumerable.Range(0, runs.Max(r => r.Depth)).Select(k => (double)k).Where(k => Math.Pow(0.25, k) >= floor).ToList();
            chart.Add(new Series("0.25ⁿ", xs, xs.Select(k => Math.Pow(0.25, k)).ToList(), "2 3") { Color = "#000" });
        }
        return chart;
    }
}
