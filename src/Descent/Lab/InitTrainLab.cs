using Descent.Data;
using Descent.Init;
using Descent.Nn;
using Descent.Plotting;

namespace Descent.Lab;

/// <summary>One initialization trained on circles.</summary>
/// <param name="Init">Initializer text form.</param>
/// <param name="Epochs">Loss and accuracies per epoch.</param>
/// <param name="DistinctUnits">Per epoch, per hidden layer: how many hidden units differ (rows of [W | b] farther apart than 1e-6).</param>
/// <param name="FinalDistinctUnits">The last epoch's count per hidden layer.</param>
internal sealed record InitTrainRun(string Init, IReadOnlyList<EpochRecord> Epochs, IReadOnlyList<int[]> DistinctUnits, int[] FinalDistinctUnits);

/// <summary>What <c>descent lab init-train</c> measured.</summary>
internal sealed record InitTrainResult(int[] Widths, string Optimizer, int BatchSize, IReadOnlyList<InitTrainRun> Runs,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// A 3-layer ReLU network (2 → 10 → 5 → 2 by default) on the circles set, trained from zeros, from N(0, 10²)
/// ("normal × 10": huge weights, huge logits, a loss that starts very high) and from He's N(0, 2/fan_in).
/// With zeros every hidden unit computes the same thing and receives the same gradient, so they stay identical
/// forever (the symmetry never breaks; with ReLU at 0 the gradient is even exactly 0 and nothing moves); the count of
/// distinct hidden units shows it. As in the course the notes follow, every network trains with plain mini-batch
/// gradient descent (no momentum) at the same learning rate, so only the initialization differs: ×10 then trains
/// poorly (above chance, below He) rather than not at all.
/// </summary>
internal static class InitTrainLab
{
    /// <summary>The course's setting: plain gradient descent, one learning rate for all.</summary>
    public const string DefaultOptimizer = "sgd:lr=0.05";

    /// <summary>Mini-batch size.</summary>
    public const int BatchSize = 32;

    /// <summary>Trains each initialization and draws the curves and the decision regions.</summary>
    public static InitTrainResult Run(int[] widths, IReadOnlyList<string> inits, int epochs, int samples, string optimizer, ulong seed)
    {
        if (widths.Length < 3 || widths[0] != 2 || widths[^1] != 2)
            throw new ArgumentException($"InitTrainLab: widths must start with 2 inputs and end with 2 classes, got [{string.Join(",", widths)}].");
        var data = Synthetic.Generate("circles", samples, Synthetic.DefaultNoise("circles"), 2, new Rng(seed, 12));
        var (train, test) = Split.TrainValidation(data, 0.25, seed);
        var pair = new DatasetPair(train, test);
        var runs = new List<InitTrainRun>();
        var models = new List<Sequential>();
        foreach (string init in inits)
        {
            var model = Mlp.Create(widths, "relu", Initializer.Parse(init), false, 0, new Rng(seed));
            var linears = model.Layers.OfType<Linear>().ToList();
            var distinct = new List<int[]>();
            models.Add(model);
            var records = LabTraining.Train(model, pair, optimizer, epochs, BatchSize, seed,
                _ => distinct.Add(linears.Take(linears.Count - 1).Select(DistinctRows).ToArray()));
            runs.Add(new InitTrainRun(init, records, distinct, distinct[^1]));
        }
        var figures = new List<Figure>();
        var loss = new LineChart { Title = $"Training loss by initialization (circles, ReLU, {optimizer})", XLabel = "epoch", YLabel = "cross-entropy (log)", YScale = AxisScale.Log };
        for (int i = 0; i < runs.Count; i++)
            loss.Add(Series.Indexed(runs[i].Init, runs[i].Epochs.Select(e => e.TrainLoss).ToList(), markers: runs[i].Init == "zeros") with { Color = Palette.Color(i) });
        loss.HorizontalRule(Math.Log(2), "ln 2: a coin flip");
        figures.Add(new Figure("init-train-loss.svg", "Initialization and training: loss",
            "Zeros stays at ln 2 (every unit identical, nothing moves); normal × 10 starts with a huge loss from huge logits and trains poorly; He trains.", loss.ToSvg()));
        var acc = new LineChart { Title = "Train (solid) and test (dashed) accuracy by initialization", XLabel = "epoch", YLabel = "accuracy", YRange = (0.4, 1) };
        for (int i = 0; i < runs.Count; i++)
        {
            acc.Add(Series.Indexed($"{runs[i].Init} train", runs[i].Epochs.Select(e => e.TrainAccuracy).ToList(), markers: runs[i].Init == "zeros") with { Color = Palette.Color(i) });
            acc.Add(Series.Indexed($"{runs[i].Init} test", runs[i].Epochs.Select(e => e.TestAccuracy).ToList(), dash: "6 3") with { Color = Palette.Color(i) });
        }
        acc.HorizontalRule(0.5, "chance");
        figures.Add(new Figure("init-train-accuracy.svg", "Initialization and training: accuracy", "Circles: two concentric rings (chance = 50 %).", acc.ToSvg()));
        var sym = new LineChart { Title = "Distinct units in hidden layer 1 (symmetry breaking)", XLabel = "epoch", YLabel = "distinct hidden units", YRange = (0, widths[1] + 1) };
        for (int i = 0; i < runs.Count; i++)
            sym.Add(Series.Indexed(runs[i].Init, runs[i].DistinctUnits.Select(d => (double)d[0]).ToList(), markers: true) with { Color = Palette.Color(i) });
        figures.Add(new Figure("init-train-symmetry.svg", "Initialization and training: symmetry", "With zeros every hidden unit stays identical: one distinct unit.", sym.ToSvg()));
        figures.Add(Boundaries(runs, models, test));
        return new InitTrainResult(widths, optimizer, BatchSize, runs, figures);
    }

    /// <summary>One decision-regions panel per initialization, the test points on top.</summary>
    private static Figure Boundaries(IReadOnlyList<InitTrainRun> runs, IReadOnlyList<Sequential> models, Dataset test)
    {
        var f = test.Features;
        double lim = Enumerable.Range(0, test.Count).Max(i => Math.Max(Math.Abs(f[2 * i]), Math.Abs(f[2 * i + 1]))) * 1.1;
        var grid = new PanelGrid { Title = "Decision regions after training, with the test points", Columns = runs.Count, PanelWidth = 380, PanelHeight = 380 };
        for (int m = 0; m < runs.Count; m++)
        {
            var model = models[m];
            var map = new DecisionMap(xy => Classify(model, xy), -lim, lim, -lim, lim)
            { Title = $"{runs[m].Init}: test {runs[m].Epochs[^1].TestAccuracy:0.0%}" };
            map.AddPoints(Enumerable.Range(0, test.Count).Select(i => ((double)f[2 * i], (double)f[2 * i + 1], test.Labels[i])));
            grid.Add(map);
        }
        grid.Legend("class 0 (region tinted)", Palette.Color(0), marker: true).Legend("class 1", Palette.Color(1), marker: true);
        return new Figure("init-train-boundary.svg", "Initialization and training: decision regions",
            "Zeros predicts one class everywhere; normal × 10 carves a rough, partly wrong boundary; He finds the ring.", grid.ToSvg()) { Wide = true };
    }

    private static int[] Classify(Sequential model, double[] xy)
    {
        model.Eval();
        using var _ = Autograd.NoGrad();
        var logits = model.Call(Tensor.From(xy.Select(v => (float)v).ToArray(), xy.Length / 2, 2)).ToArray();   // [n, classes]
        int classes = logits.Length / (xy.Length / 2);
        var cls = new int[xy.Length / 2];
        for (int i = 0; i < cls.Length; i++)
            for (int k = 1; k < classes; k++)
                if (logits[i * classes + k] > logits[i * classes + cls[i]]) cls[i] = k;
        return cls;
    }

    /// <summary>Number of distinct rows of [W | b] (Euclidean distance &gt; 1e-6), i.e. of distinct hidden units.</summary>
    public static int DistinctRows(Linear layer)
    {
        var w = layer.Weight.ToArray();   // [out, in]
        var b = layer.Bias?.ToArray();     // [out]
        int rows = layer.OutFeatures, cols = layer.InFeatures;
        var reps = new List<int>();
        for (int i = 0; i < rows; i++)
        {
            bool seen = false;
            foreach (int j in reps)
            {
                double d = b is null ? 0 : (b[i] - b[j]) * (b[i] - b[j]);
                for (int k = 0; k < cols; k++) d += (w[i * cols + k] - w[j * cols + k]) * (w[i * cols + k] - w[j * cols + k]);
                if (Math.Sqrt(d) <= 1e-6) { seen = true; break; }
            }
            if (!seen) reps.Add(i);
        }
        return reps.Count;
    }
}
