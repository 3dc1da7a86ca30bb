using Descent.Data;
using Descent.Diagnostics;
using Descent.Init;
using Descent.Nn;
using Descent.Plotting;

namespace Descent.Lab;

/// <summary>One network of the batch-norm experiment: its training curve and its per-layer statistics before and after.</summary>
internal sealed record BatchNormRun(string Name, string Init, bool BatchNorm, IReadOnlyList<EpochRecord> Epochs,
    IReadOnlyList<LayerStatistics> Before, IReadOnlyList<LayerStatistics> After);

/// <summary>What <c>descent lab batchnorm</c> measured.</summary>
internal sealed record BatchNormResult(string Dataset, int[] Widths, string Activation, string Optimizer, IReadOnlyList<BatchNormRun> Runs,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// The notes' batch-normalization experiments: the same deep tanh MLP with weights from N(0, 0.01²) and N(0, 1),
/// each without and with BatchNorm1d before every activation (x̂ = (x − μ_B)/√(σ²_B + ε), y = γx̂ + β), trained on the
/// spirals set. Without it, the 0.01 network's activations and gradients shrink layer by layer and it barely learns; the
/// N(0, 1) network saturates tanh. With it every layer starts at unit spread and both train.
/// </summary>
internal static class BatchNormLab
{
    /// <summary>Runs the four networks.</summary>
    public static BatchNormResult Run(int[] hidden, string activation, int epochs, int samples, string optimizer, ulong seed)
    {
        var data = Synthetic.Generate("spirals", samples, Synthetic.DefaultNoise("spirals"), 3, new Rng(seed, 11));
        var (train, test) = Split.TrainValidation(data, 0.25, seed);
        var pair = new DatasetPair(train, test);
        var probeX = train.FeaturesTensor();
        var runs = new List<BatchNormRun>();
        foreach (string init in new[] { "normal:0.01", "normal:1" })
            foreach (bool bn in new[] { false, true })
            {
                var model = Mlp.Create([2, .. hidden, 3], activation, Initializer.Parse(init), bn, 0, new Rng(seed));
                var before = Measure(model, probeX);
                var epochsRec = LabTraining.Train(model, pair, optimizer, epochs, 64, seed);
                var after = Measure(model, probeX);
                runs.Add(new BatchNormRun($"{init}{(bn ? " +BN" : "")}", init, bn, epochsRec, before, after));
            }
        var figures = new List<Figure>();
        var loss = new LineChart { Title = "Training loss: with and without batch norm", XLabel = "epoch", YLabel = "cross-entropy (log)", YScale = AxisScale.Log };
        var acc = new LineChart { Title = "Test accuracy: with and without batch norm", XLabel = "epoch", YLabel = "accuracy", YRange = (0, 1) };
        foreach (var r in runs)
        {
            loss.Add(Series.Indexed(r.Name, r.Epochs.Select(e => e.TrainLoss).ToList(), 0, r.BatchNorm ? null : "6 3"));
            acc.Add(Series.Indexed(r.Name, r.Epochs.Select(e => e.TestAccuracy).ToList(), 0, r.BatchNorm ? null : "6 3"));
        }
        figures.Add(new Figure("batchnorm-loss.svg", "Batch norm: training loss", "Dashed: plain network; solid: BatchNorm1d before each activation.", loss.ToSvg()));
        figures.Add(new Figure("batchnorm-accuracy.svg", "Batch norm: test accuracy", "Spirals, 3 classes (chance = 1/3).", acc.ToSvg()));
        foreach (bool after in new[] { false, true })
        {
            var std = new LineChart { Title = $"Activation std per layer {(after ? "after training" : "at initialization")}", XLabel = "layer", YLabel = "std (log)", YScale = AxisScale.Log };
            foreach (var r in runs)
                std.Add(Series.Indexed(r.Name, (after ? r.After : r.Before).Select(l => l.Std).ToList(), 1, r.BatchNorm ? null : "6 3", true));
            figures.Add(new Figure($"batchnorm-std-{(after ? "after" : "before")}.svg", $"Batch norm: activation std per layer {(after ? "after training" : "at initialization")}",
                "The spread of each hidden layer's outputs on the training set. At initialization the two batch-norm networks coincide: " +
                "both draw the same normal numbers, only scaled, and batch norm divides the scale out.", std.ToSvg()));
        }
        var grid = new HistogramGrid
        {
            Title = "Activations per layer at initialization (rows: network; columns: layer; one shared x axis)", XLabel = "activation value",
            Columns = runs[0].Before.Count, RowTitles = runs.Select(r => r.Name).ToList(), XRange = activation == "tanh" ? (-1, 1) : null,
            PanelWidth = 190, PanelHeight = 150,
        };
        foreach (var r in runs)
            foreach (var l in r.Before) grid.Add($"layer {l.Index}", l.Sample);
        figures.Add(new Figure("batchnorm-hist.svg", "Batch norm: histograms at initialization",
            "Without batch norm N(0, 0.01²) squeezes every layer towards 0 and N(0, 1) saturates tanh at ±1; with it both start at the same unit spread.", grid.ToSvg()) { Wide = true });
        return new BatchNormResult("spirals", hidden, activation, optimizer, runs, figures);
    }

    /// <summary>Per-layer statistics of a forward and backward pass over <paramref name="x"/> in training mode (batch statistics).</summary>
    private static IReadOnlyList<LayerStatistics> Measure(Sequential model, Tensor x)
    {
        var probe = new LayerProbe(model);
        model.ZeroGrad();
        var y = probe.Forward(x);
        y.Mul(Tensor.Normal(new Rng(99), 0, 1, y.DType, y.ShapeArray)).Sum().Backward();
        var stats = probe.Statistics();
        model.ZeroGrad();
        return stats;
    }
}
