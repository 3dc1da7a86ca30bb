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
public sealed record InitTrainRun(string Init, IReadOnlyList<EpochRecord> Epochs, IReadOnlyList<int[]> DistinctUnits, int[] FinalDistinctUnits);

/// <summary>What <c>descent lab init-train</c> measured.</summary>
public sealed record InitTrainResult(int[] Widths, string Optimizer, IReadOnlyList<InitTrainRun> Runs,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// A 3-layer ReLU network (2 → 10 → 5 → 2 by default) on the circles set, trained from zeros, from N(0, 10²)
/// ("normal × 10": huge weights, huge logits, a loss that starts very high) and from He's N(0, 2/fan_in).
/// With zeros every hidden unit computes the same thing and receives the same gradient, so they stay identical
/// forever (the symmetry never breaks; with ReLU at 0 the gradient is even exactly 0 and nothing moves); the count of
/// distinct hidden units shows it.
/// </summary>
public static class InitTrainLab
{
    /// <summary>Trains each initialization and draws the curves.</summary>
    public static InitTrainResult Run(int[] widths, IReadOnlyList<string> inits, int epochs, int samples, string optimizer, ulong seed)
    {
        if (widths.Length < 3 || widths[0] != 2 || widths[^1] != 2)
            throw new ArgumentException($"InitTrainLab: widths must start with 2 inputs and end with 2 classes, got [{string.Join(",", widths)}].");
        var data = Synthetic.Generate("circles", samples, Synthetic.DefaultNoise("circles"), 2, new Rng(seed, 12));
        var (train, test) = Split.TrainValidation(data, 0.25, seed);
        var pair = new DatasetPair(train, test);
        var runs = new List<InitTrainRun>();
        foreach (string init in inits)
        {
            var model = Mlp.Create(widths, "relu", Initializer.Parse(init), false, 0, new Rng(seed));
            var linears = model.Layers.OfType<Linear>().ToList();
            var distinct = new List<int[]>();
            var records = LabTraining.Train(model, pair, optimizer, epochs, 32, seed,
                _ => distinct.Add(linears.Take(linears.Count - 1).Select(DistinctRows).ToArray()));
            runs.Add(new InitTrainRun(init, records, distinct, distinct[^1]));
        }
        var figures = new List<Figure>();
        var loss = new LineChart { Title = "Training loss by initialization (circles, ReLU)", XLabel = "epoch", YLabel = "cross-entropy (log)", YScale = AxisScale.Log };
        foreach (var r in runs) loss.Add(Series.Indexed(r.Init, r.Epochs.Select(e => e.TrainLoss).ToList()));
        figures.Add(new Figure("init-train-loss.svg", "Initialization and training: loss", "Zeros never move; normal × 10 starts with a huge loss; He trains.", loss.ToSvg()));
        var acc = new LineChart { Title = "Train (solid) and test (dashed) accuracy by initialization", XLabel = "epoch", YLabel = "accuracy", YRange = (0, 1) };
        foreach (var r in runs)
        {
            acc.Add(Series.Indexed($"{r.Init} train", r.Epochs.Select(e => e.TrainAccuracy).ToList()));
            acc.Add(Series.Indexed($"{r.Init} test", r.Epochs.Select(e => e.TestAccuracy).ToList(), dash: "6 3"));
        }
        figures.Add(new Figure("init-train-accuracy.svg", "Initialization and training: accuracy", "Circles: two concentric rings (chance = 50 %).", acc.ToSvg()));
        var sym = new LineChart { Title = "Distinct units in hidden layer 1 (symmetry breaking)", XLabel = "epoch", YLabel = "distinct hidden units", YRange = (0, widths[1] + 1) };
        foreach (var r in runs) sym.Add(Series.Indexed(r.Init, r.DistinctUnits.Select(d => (double)d[0]).ToList(), markers: true));
        figures.Add(new Figure("init-train-symmetry.svg", "Initialization and training: symmetry", "With zeros every hidden unit stays identical: one distinct unit.", sym.ToSvg()));
        return new InitTrainResult(widths, optimizer, runs, figures);
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
