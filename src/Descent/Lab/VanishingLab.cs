using Descent.Diagnostics;
using Descent.Init;
using Descent.Nn;
using Descent.Plotting;

namespace Descent.Lab;

/// <summary>Gradient norms per layer of one deep network at initialization.</summary>
/// <param name="Activation">sigmoid, tanh or relu.</param>
/// <param name="Depth">Number of hidden layers.</param>
/// <param name="Residual">Whether each layer is a residual block x + f(Wx + b).</param>
/// <param name="Init">Initializer used.</param>
/// <param name="GradientNorms">‖∂L/∂Wₗ‖ for l = 1 … depth (first layer first).</param>
/// <param name="FirstToLast">‖∂L/∂W₁‖ / ‖∂L/∂W_depth‖.</param>
/// <param name="Bound">0.25^(depth − 1): the notes' bound on the sigmoid product over the layers between the two.</param>
public sealed record VanishingRun(string Activation, int Depth, bool Residual, string Init, double[] GradientNorms, double FirstToLast, double Bound);

/// <summary>What <c>descent lab vanishing</c> measured.</summary>
public sealed record VanishingResult(int Width, int Samples, IReadOnlyList<VanishingRun> Runs,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// The vanishing gradient: backpropagation multiplies, layer by layer, by Wᵀ and by f′(z); for the sigmoid f′ ≤ 1/4, so
/// n sigmoid layers shrink the gradient by up to 0.25ⁿ (the notes' bound; Xavier weights do not make up for it), tanh
/// (f′ ≤ 1, = 1 only at 0) shrinks it less, and ReLU with He weights keeps it. A residual block
/// H(x) = x + f(Wx + b) has ∂H/∂x = I + ∂f/∂x, so the identity path carries the gradient back whatever f does.
/// Each network is a stack of Linear(width, width) → activation (float64, so tiny norms do not underflow), fed
/// x ~ N(0, 1) with L = Σ y ⊙ r at the output, r ~ N(0, 1).
/// </summary>
public static class VanishingLab
{
    /// <summary>Runs every (activation, depth, residual) combination.</summary>
    public static VanishingResult Run(IReadOnlyList<int> depths, IReadOnlyList<string> activations, int width, int samples, ulong seed, string? init = null)
    {
        if (depths.Count == 0 || depths.Any(d => d < 2)) throw new ArgumentException($"VanishingLab: depths must be ≥ 2, got [{string.Join(",", depths)}].");
        if (width <= 0 || samples <= 1) throw new ArgumentException($"VanishingLab: need width > 0 and samples > 1, got {width} and {samples}.");
        var runs = new List<VanishingRun>();
        foreach (string act in activations)
            foreach (int depth in depths)
                foreach (bool residual in new[] { false, true })
                    runs.Add(Measure(act, depth, residual, width, samples, seed, init ?? DefaultInit(act)));
        var figures = activations.Select(a => Chart(a, runs.Where(r => r.Activation == a).ToList())).ToList();
        var summary = new LineChart { Title = "First-to-last gradient ratio ‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ by depth", XLabel = "depth (layers)", YLabel = "ratio (log)", YScale = AxisScale.Log };
        foreach (string act in activations)
            foreach (bool residual in new[] { false, true })
            {
                var rs = runs.Where(r => r.Activation == act && r.Residual == residual).OrderBy(r => r.Depth).ToList();
                summary.Add(new Series($"{act}{(residual ? " residual" : "")}", rs.Select(r => (double)r.Depth).ToList(), rs.Select(r => r.FirstToLast).ToList(), residual ? "6 3" : null, true));
            }
        var ds = depths.OrderBy(d => d).ToList();
        summary.Add(new Series("0.25ⁿ bound (sigmoid)", ds.Select(d => (double)d).ToList(), ds.Select(d => Math.Pow(0.25, d - 1)).ToList(), "2 3"));
        figures.Add(new Figure("vanishing-ratio.svg", "Gradient ratio first/last layer by depth", "Plain stacks (solid) against residual ones (dashed).", summary.ToSvg()));
        return new VanishingResult(width, samples, runs, figures);
    }

    /// <summary>The initializer that suits each activation: Xavier for sigmoid/tanh, He for ReLU.</summary>
    public static string DefaultInit(string activation) => activation is "relu" or "leaky_relu" ? "he" : "xavier";

    /// <summary>One network: builds it, runs forward and backward, and reads ‖∂L/∂W‖ per layer.</summary>
    public static VanishingRun Measure(string activation, int depth, bool residual, int width, int samples, ulong seed, string init)
    {
        var rng = new Rng(seed);
        var initializer = Initializer.Parse(init);
        var model = new Sequential();
        for (int l = 0; l < depth; l++)
        {
            var body = new Sequential(new Linear(width, width, rng, true, initializer, Initializer.Zeros, DType.Float64), Nn.Activation.Create(activation));
            if (residual) model.Add(new Residual(body));
            else foreach (var m in body.Layers) model.Add(m);
        }
        var probe = new LayerProbe(model);
        var x = Tensor.Normal(new Rng(seed, 1), 0, 1, DType.Float64, samples, width);     // [samples, width]
        var y = probe.Forward(x);
        var r = Tensor.Normal(new Rng(seed, 2), 0, 1, DType.Float64, y.ShapeArray);
        y.Mul(r).Sum().Backward();
        var norms = probe.Statistics(sampleSize: 1).Select(s => s.WeightGradientNorm).ToArray();
        return new VanishingRun(activation, depth, residual, init, norms, norms[0] / norms[^1], Math.Pow(0.25, depth - 1));
    }

    private static Figure Chart(string activation, IReadOnlyList<VanishingRun> runs)
    {
        var chart = new LineChart
        {
            Title = $"{activation}: gradient norm per layer, relative to the last layer",
            XLabel = "layers back from the output (n)",
            YLabel = "‖∂L/∂Wₗ‖ / ‖∂L/∂W_L‖ (log)",
            YScale = AxisScale.Log,
        };
        foreach (var r in runs)
        {
            int n = r.GradientNorms.Length;
            var back = Enumerable.Range(0, n).Select(k => (double)k).ToList();
            chart.Add(new Series($"depth {r.Depth}{(r.Residual ? " residual" : "")}", back, back.Select(k => r.GradientNorms[n - 1 - (int)k] / r.GradientNorms[^1]).ToList(), r.Residual ? "6 3" : null));
        }
        int max = runs.Max(r => r.Depth);
        var xs = Enumerable.Range(0, max).Select(k => (double)k).ToList();
        chart.Add(new Series("0.25ⁿ (sigmoid′ ≤ 1/4)", xs, xs.Select(k => Math.Pow(0.25, k)).ToList(), "2 3"));
        return new Figure($"vanishing-{activation}.svg", $"Vanishing gradient with {activation}",
            $"{activation} stacks at initialization ({runs[0].Init} weights); dashed: residual blocks x + f(Wx + b); dotted: the 0.25ⁿ bound.", chart.ToSvg());
    }
}
