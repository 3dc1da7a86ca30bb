using Descent.Nn;
using Descent.Optim;

namespace Descent.Diagnostics;

/// <summary>
/// Collects per-layer activation, gradient and update statistics while a model trains, and turns them into a
/// <see cref="DiagnosticsReport"/> with advice. Two ways to use it:
/// <list type="number">
/// <item>inside a training loop: <c>var y = collector.Forward(x)</c> instead of <c>model.Call(x)</c>; after
/// <c>loss.Backward()</c> call <see cref="BeforeStep"/>, after <c>optimizer.Step()</c> call <see cref="AfterStep"/>;
/// at the end, <see cref="Report"/>;</item>
/// <item>on its own: <see cref="Run"/> takes a model, some batches and an optimizer, trains on them for a few steps
/// (this changes the weights, as training would) and returns the report.</item>
/// </list>
/// Statistics are averaged over the observed batches. The update ratio is ‖ΔW‖/‖W‖ per weighted layer (Linear or convolution; about 1e-3 is
/// healthy, following Karpathy's rule of thumb).
/// </summary>
public sealed class DiagnosticsCollector
{
    private readonly LayerProbe _probe;
    private readonly List<IReadOnlyList<LayerStatistics>> _batches = [];
    private readonly List<double[]> _updateRatios = [];
    private double[][]? _before;

    /// <summary>A collector for <paramref name="model"/> (a Sequential with activation modules or residual blocks at its top level).</summary>
    public DiagnosticsCollector(Sequential model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _probe = new LayerProbe(model);
    }

    /// <summary>The model observed.</summary>
    public Sequential Model { get; }

    /// <summary>Batches observed so far.</summary>
    public int BatchCount => _batches.Count;

    /// <summary>Forward pass that records every layer's output (use in place of <c>model.Call(x)</c>).</summary>
    public Tensor Forward(Tensor x) => _probe.Forward(x);

    /// <summary>Records the statistics of the last forward and backward pass, and remembers the weights for the update ratio.</summary>
    public void BeforeStep()
    {
        _batches.Add(_probe.Statistics(sampleSize: 2000));
        _before = _probe.Weights.Select(w => w?.ToArray() ?? []).ToArray();
    }

    /// <summary>Measures ‖ΔW‖/‖W‖ of the weight feeding each layer against the weights saved by <see cref="BeforeStep"/>.</summary>
    public void AfterStep()
    {
        if (_before is null) throw new InvalidOperationException("DiagnosticsCollector.AfterStep: call BeforeStep after backward and before the optimizer step.");
        var weights = _probe.Weights;
        var ratios = new double[weights.Count];
        for (int i = 0; i < weights.Count; i++)
        {
            if (weights[i] is not { } weight || _before[i].Length == 0) { ratios[i] = double.NaN; continue; }
            var now = weight.ToArray();
            double d = 0, w = 0;
            for (int k = 0; k < now.Length; k++) { d += (now[k] - _before[i][k]) * (now[k] - _before[i][k]); w += _before[i][k] * _before[i][k]; }
            ratios[i] = w > 0 ? Math.Sqrt(d / w) : double.NaN;
        }
        _updateRatios.Add(ratios);
        _before = null;
    }

    /// <summary>The per-layer statistics averaged over the observed batches, with warnings and advice.</summary>
    public DiagnosticsReport Report()
    {
        if (_batches.Count == 0) throw new InvalidOperationException("DiagnosticsCollector.Report: no batch observed yet (call Forward, backward, then BeforeStep).");
        int layers = _batches[0].Count;
        var rows = new List<LayerStatistics>(layers);
        for (int l = 0; l < layers; l++)
        {
            var s = _batches.Select(b => b[l]).ToList();
            double upd = _updateRatios.Count == 0 ? double.NaN : Mean(_updateRatios.Select(u => u[l]));
            rows.Add(s[0] with
            {
                Mean = Mean(s.Select(x => x.Mean)), Std = Mean(s.Select(x => x.Std)), SaturatedFraction = Mean(s.Select(x => x.SaturatedFraction)),
                DeadFraction = Mean(s.Select(x => x.DeadFraction)), GradientStd = Mean(s.Select(x => x.GradientStd)),
                WeightGradientNorm = Mean(s.Select(x => x.WeightGradientNorm)), WeightNorm = s[^1].WeightNorm, UpdateRatio = upd,
                Sample = s[^1].Sample, ChannelMeans = MeanOfEach(s.Select(x => x.ChannelMeans)), ChannelStds = MeanOfEach(s.Select(x => x.ChannelStds)),
            });
        }
        return DiagnosticsReport.From(rows, _batches.Count);
    }

    /// <summary>
    /// Trains <paramref name="model"/> on up to <paramref name="maxBatches"/> of <paramref name="batches"/> with
    /// <paramref name="optimizer"/> (cross-entropy on integer labels unless <paramref name="loss"/> is given) and reports.
    /// </summary>
    public static DiagnosticsReport Run(Sequential model, IEnumerable<(Tensor X, int[] Labels)> batches, IOptimizer optimizer,
        Func<Tensor, int[], Tensor>? loss = null, int maxBatches = 20)
    {
        var c = new DiagnosticsCollector(model);
        loss ??= (y, labels) => y.CrossEntropy(labels);
        model.Train();
        foreach (var (x, labels) in batches.Take(maxBatches))
        {
            optimizer.ZeroGrad();
            var l = loss(c.Forward(x), labels);
            l.Backward();
            c.BeforeStep();
            optimizer.Step();
            c.AfterStep();
        }
        return c.Report();
    }

    /// <summary>The element-wise mean of equally long arrays (the per-channel statistics of each batch).</summary>
    private static double[] MeanOfEach(IEnumerable<double[]> arrays)
    {
        var list = arrays.ToList();
        return list[0].Length == 0 ? [] : Enumerable.Range(0, list[0].Length).Select(c => Mean(list.Select(a => a[c]))).ToArray();
    }

    private static double Mean(IEnumerable<double> v)
    {
        var f = v.Where(double.IsFinite).ToList();
        return f.Count == 0 ? double.NaN : f.Average();
    }
}
