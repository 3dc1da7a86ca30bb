using Descent.Data;
using Descent.Init;
using Descent.Nn;
using Descent.Plotting;

namespace Descent.Lab;

/// <summary>One regularized (or plain) network: per epoch the train and test loss (eval mode), accuracies and ‖W‖₂.</summary>
internal sealed record RegularizationRun(string Name, double Dropout, double WeightDecay, double[] TrainLoss, double[] TestLoss,
    double TrainAccuracy, double TestAccuracy, double[] WeightNorm);

/// <summary>What <c>descent lab regularization</c> measured.</summary>
internal sealed record RegularizationResult(int[] Widths, int TrainSamples, string Optimizer, IReadOnlyList<RegularizationRun> Runs,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// The notes' regularization, on a network that overfits: 2 → 200 → 200 → 2 ReLU (He) on 100 noisy moons, tested on
/// 400 more. Plain, with dropout p = 0.5 after each hidden layer (inverted dropout: kept units scaled by 1/(1 − p)), and
/// with L2, J + (λ/2)‖W‖² (PyTorch's weight_decay: λθ added to the gradient), λ ∈ {1e-3, 1e-2}; all with the same
/// optimizer and batches. The figures: train and test loss per epoch (the gap is overfitting), and ‖W‖₂ per epoch
/// (L2 pulls the weights towards 0).
/// </summary>
internal static class RegularizationLab
{
    /// <summary>The settings compared: name, dropout, weight decay.</summary>
    public static readonly (string Name, double Dropout, double WeightDecay)[] Settings =
        [("plain", 0, 0), ("dropout 0.5", 0.5, 0), ("L2 λ = 1e-3", 0, 1e-3), ("L2 λ = 1e-2", 0, 1e-2)];

    /// <summary>Trains every setting and draws the curves.</summary>
    public static RegularizationResult Run(int epochs, string optimizer, ulong seed, int trainSamples = 100, int hidden = 200)
    {
        if (epochs < 1 || trainSamples < 10) throw new ArgumentException($"RegularizationLab: need epochs ≥ 1 and at least 10 samples, got {epochs} and {trainSamples}.");
        var data = Synthetic.Generate("moons", trainSamples * 5, 0.3, 2, new Rng(seed, 41));
        var (train, test) = Split.TrainValidation(data, 0.8, seed);
        var pair = new DatasetPair(train, test);
        int[] widths = [2, hidden, hidden, 2];
        var runs = new List<RegularizationRun>();
        foreach (var (name, p, lambda) in Settings)
        {
            var model = Mlp.Create(widths, "relu", Initializer.Parse("he"), false, p, new Rng(seed));
            var weights = model.NamedParameters().Where(n => n.Name.EndsWith("weight", StringComparison.Ordinal)).Select(n => n.Tensor).ToList();
            var trainLoss = new List<double>();
            var testLoss = new List<double>();
            var norm = new List<double>();
            string opt = lambda > 0 ? $"{optimizer},weight_decay={lambda.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : optimizer;
            var records = LabTraining.Train(model, pair, opt, epochs, 32, seed, _ =>
            {
                trainLoss.Add(LabTraining.Loss(model, train));
                testLoss.Add(LabTraining.Loss(model, test));
                norm.Add(Math.Sqrt(weights.Sum(w => w.ToArray().Sum(v => v * v))));
            });
            runs.Add(new RegularizationRun(name, p, lambda, [.. trainLoss], [.. testLoss], records[^1].TrainAccuracy, records[^1].TestAccuracy, [.. norm]));
        }
        var figures = new List<Figure>();
        double lo = runs.Min(r => r.TrainLoss.Min()), hi = runs.Max(r => Math.Max(r.TestLoss.Max(), r.TrainLoss.Max()));
        var grid = new PanelGrid { Title = "Train (solid) and test (dashed) loss: the gap between them is overfitting", Columns = 2, PanelWidth = 520, PanelHeight = 340 };
        for (int i = 0; i < runs.Count; i++)
        {
            var panel = new LineChart { Title = $"{runs[i].Name}: gap {runs[i].TestLoss[^1] - runs[i].TrainLoss[^1]:0.###} at the end", XLabel = "epoch", YLabel = "cross-entropy (log)",
                YScale = AxisScale.Log, YRange = (Math.Pow(10, Math.Floor(Math.Log10(lo))), Math.Pow(10, Math.Ceiling(Math.Log10(hi)))), ShowLegend = false };
            panel.Add(Series.Indexed("train", runs[i].TrainLoss) with { Color = Palette.Color(i) });
            panel.Add(Series.Indexed("test", runs[i].TestLoss, dash: "6 3") with { Color = Palette.Color(i) });
            grid.Add(panel);
        }
        grid.Legend("train loss", "#444").Legend("test loss", "#444", "6 3");
        figures.Add(new Figure("regularization-loss.svg", "Dropout and L2 on a network that overfits",
            $"{hidden}-{hidden} ReLU on {train.Count} noisy moons, tested on {test.Count}; one panel per network, same axes. Plain: the train loss keeps falling while " +
            "the test loss turns up; dropout and L2 keep the two closer.", grid.ToSvg()) { Wide = true });
        var norms = new LineChart { Title = "Weight norm ‖W‖₂ per epoch", XLabel = "epoch", YLabel = "‖W‖₂ over every weight matrix" };
        for (int i = 0; i < runs.Count; i++) norms.Add(Series.Indexed(runs[i].Name, runs[i].WeightNorm) with { Color = Palette.Color(i) });
        figures.Add(new Figure("regularization-norm.svg", "L2 shrinks the weights",
            "L2 adds λθ to every gradient (weight decay): the larger λ, the smaller the weights settle; the plain network's weights keep growing to fit the noise.", norms.ToSvg()));
        return new RegularizationResult(widths, train.Count, optimizer, runs, figures);
    }
}
