using Descent.Data;
using Descent.Diagnostics;
using Descent.Init;
using Descent.Lab;
using Descent.Nn;

namespace Descent.Server.Lab;

/// <summary>One layer's statistics as the initialization and batch-norm pages draw them.</summary>
internal sealed record LayerView(int Layer, string Kind, double Mean, double Std, double Saturated, double Dead, double GradientStd, double[] Histogram);

/// <summary>What the initialization page draws: one network's layers at initialization.</summary>
internal sealed record InitView(string Network, IReadOnlyList<LayerView> Layers, double HistogramLow, double HistogramHigh);

/// <summary>What the vanishing-gradient page draws: ‖∂L/∂Wₗ‖ per layer, first layer first.</summary>
internal sealed record VanishingView(string Network, double[] GradientNorms, double FirstToLast, double Bound, double OutputStd, string Verdict, string Criterion);

/// <summary>One network of the batch-norm page: its curve per epoch and its activation spread per layer before training.</summary>
internal sealed record TrainingCurveView(string Network, bool BatchNorm, IReadOnlyList<Descent.Lab.EpochRecord> Epochs, double[] StdBefore);

/// <summary>
/// The lab's network experiments on the library: the spread of activations at initialization (<see cref="InitLab"/>), the
/// gradient norms of a deep stack (<see cref="VanishingLab"/>), and the same MLP trained with and without batch norm
/// (<see cref="LabTraining"/>, the spirals set as in <c>descent lab batchnorm</c>).
/// </summary>
internal static class NetworkExperiments
{
    public static IReadOnlyList<string> Activations { get; } = ["tanh", "relu", "sigmoid"];
    public static IReadOnlyList<string> Initializers { get; } = ["normal", "xavier", "he"];

    /// <summary>The text form of an initializer: N(0, σ²) takes the scale as σ, Xavier (normal) as its gain; He has no scale (1).</summary>
    public static string InitSpec(string init, double scale) => init switch
    {
        "normal" => $"normal:{G(scale)}",
        "xavier" => scale == 1 ? "xavier" : $"xavier-normal:{G(scale)}",
        "he" when scale == 1 => "he",
        "he" => throw new ArgumentException($"'scale' applies to normal (σ) and xavier (gain); He's variance 2/fan_in has none, so scale must be 1, got {scale}."),
        _ => throw new ArgumentException($"'init' must be one of {string.Join(", ", Initializers)}, got '{init}'."),
    };

    /// <summary>A deep MLP fed a unit-normal batch: each layer's mean, spread, saturation, dead units and gradient spread.</summary>
    public static InitView Init(string activation, string init, double scale, int depth, int width, bool batchNorm, ulong seed)
    {
        string spec = InitSpec(init, scale);
        var config = new InitConfig($"{spec} {activation}{(batchNorm ? " +BN" : "")}", width, Enumerable.Repeat(width, depth).ToArray(), activation, spec, 500, batchNorm);
        var run = InitLab.Measure(config, seed);
        double lo = activation == "relu" ? 0 : -1, hi = 1;
        if (activation == "relu") hi = Math.Max(1e-6, run.Layers.Max(l => Quantile(l.Sample, 0.99)));
        return new InitView(config.Name, run.Layers.Select(l => View(l, lo, hi)).ToList(), lo, hi);
    }

    /// <summary>A stack of Linear(width, width) → activation, plain or residual, and its gradient norm per layer.</summary>
    public static VanishingView Vanishing(string activation, int depth, StackKind kind, int width, ulong seed)
    {
        var r = VanishingLab.Measure(activation, depth, kind, width, 64, seed, VanishingLab.DefaultInit(activation));
        return new VanishingView($"{activation}, depth {depth}, {r.KindText}, {r.Init}", r.GradientNorms, r.FirstToLast, r.Bound, r.OutputStd, r.Verdict, VanishingLab.Criterion);
    }

    /// <summary>
    /// The same MLP on the spirals set without and with BatchNorm1d before each activation; <paramref name="progress"/>
    /// hears (network, epoch) after each epoch and may throw to stop (the client went away).
    /// </summary>
    public static IReadOnlyList<TrainingCurveView> BatchNorm(string activation, string init, double scale, int depth, int epochs, ulong seed, Action<int, int> progress)
    {
        var data = Synthetic.Generate("spirals", 600, Synthetic.DefaultNoise("spirals"), 3, new Rng(seed, 11));
        var (train, test) = Split.TrainValidation(data, 0.25, seed);
        var pair = new DatasetPair(train, test);
        var initializer = Initializer.Parse(InitSpec(init, scale));
        var list = new List<TrainingCurveView>();
        foreach (bool bn in new[] { false, true })
        {
            var model = Mlp.Create([2, .. Enumerable.Repeat(50, depth), 3], activation, initializer, bn, 0, new Rng(seed));
            var probe = new LayerProbe(model);
            probe.Forward(train.FeaturesTensor());
            var std = probe.Statistics(sampleSize: 1).Select(l => l.Std).ToArray();
            int network = list.Count;
            var records = LabTraining.Train(model, pair, "sgd:lr=0.1,momentum=0.9", epochs, 64, seed, e => progress(network, e));
            list.Add(new TrainingCurveView(bn ? "with batch norm" : "without batch norm", bn, records, std));
        }
        return list;
    }

    private static LayerView View(LayerStatistics l, double lo, double hi)
    {
        var bins = new double[40];
        foreach (double v in l.Sample)
        {
            int b = (int)Math.Floor((v - lo) / (hi - lo) * bins.Length);
            if (b >= 0 && b < bins.Length) bins[b]++; else if (v == hi) bins[^1]++;
        }
        double n = Math.Max(1, l.Sample.Length);
        return new LayerView(l.Index, l.Kind, l.Mean, l.Std, l.SaturatedFraction, l.DeadFraction, l.GradientStd, bins.Select(c => c / n).ToArray());
    }

    private static double Quantile(double[] v, double q)
    {
        if (v.Length == 0) return 1;
        var s = (double[])v.Clone();
        Array.Sort(s);
        return s[(int)Math.Min(s.Length - 1, q * s.Length)];
    }

    private static string G(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
