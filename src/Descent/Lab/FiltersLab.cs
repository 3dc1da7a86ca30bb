using Descent.Data;
using Descent.Nn;
using Descent.Plotting;
using Descent.Training;

namespace Descent.Lab;

/// <summary>One layer's feature maps for the example image: the layer, its output shape [C, H, W], the channels drawn.</summary>
internal sealed record FeatureMapLayer(string Layer, int[] Shape, int[] Channels);

/// <summary>A pair of classes the network mixes up: true class, predicted class, how many test images, share of the true class.</summary>
internal sealed record ConfusedPair(string Actual, string Predicted, int Count, double Share);

/// <summary>
/// The first convolution's filters: how many, their size, and the mean correlation of neighbouring weights (horizontal
/// and vertical pairs inside each filter). Independent random weights give ≈ 0; smooth, oriented patterns (edges,
/// gradients, blobs) give clearly positive values.
/// </summary>
internal sealed record FilterStatistics(int Count, int Height, int Width, double NeighbourCorrelation, double MeanAbsWeight);

/// <summary>How far a layer's weight moved in training: ‖W − W₀‖ / ‖W₀‖ (Frobenius norms), W₀ the weight at initialization.</summary>
internal sealed record LayerChange(string Layer, string Type, int[] Shape, double RelativeChange);

/// <summary>What <c>descent lab filters</c> found.</summary>
internal sealed record FiltersResult(string Model, string Source, int Epochs, double TestAccuracy, string[] ClassNames, double[] PerClassAccuracy,
    IReadOnlyList<ConfusedPair> Confused, FilterStatistics? Initial, FilterStatistics Trained, IReadOnlyList<LayerChange> Changes,
    string ExampleClass, IReadOnlyList<FeatureMapLayer> FeatureMaps,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// Seeing what a convolutional network learned (Zeiler and Fergus 2014, "Visualizing and Understanding Convolutional
/// Networks"): the first layer's k×k filters as images, at initialization and after training; the feature maps
/// a_c = ReLU(BN(w_c ⋆ x + b_c)) of one test image after each convolution block; how far each layer's weights moved
/// from their initialization; and which classes it still confuses, with example images. Small 3×3 first-layer filters
/// already respond to edges and blobs when random (Saxe et al. 2011, "On random weights and unsupervised feature
/// learning"), so training may move them little while the later layers change most; deeper maps are coarser and respond
/// to larger parts; the mistakes are between classes that look alike (shirt, T-shirt, pullover, coat).
/// </summary>
internal static class FiltersLab
{
    /// <summary>Trains <paramref name="config"/>'s model (a CNN) for its epochs, then measures it.</summary>
    public static FiltersResult Train(TrainConfig config, Action<EpochMetrics>? epochDone = null)
    {
        var job = TrainingJob.Create(config);
        FirstConv(job.Model, config.Model.ToString());
        var initial = TrainingJob.InitialModel(config, job.Train.FeatureShape, job.Train.OutputCount);   // the same draws: the weights before the first step
        if (epochDone is not null) job.Trainer.EpochCompleted += epochDone;
        var result = job.Run();
        return Measure(job.Model, config.Model.ToString(), "trained here", result.Epochs.Count, job.Test, initial);
    }

    /// <summary>Measures a trained model (e.g. a checkpoint of <c>descent train --model cnn</c>) on its normalized test set.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="modelText">The model's text form, for the report.</param>
    /// <param name="source">Where the model came from ("trained here", a checkpoint path).</param>
    /// <param name="epochs">Epochs it was trained for.</param>
    /// <param name="test">Its normalized test set.</param>
    /// <param name="initial">The same model at initialization (<see cref="TrainingJob.InitialModel"/>), or null when unknown.</param>
    public static FiltersResult Measure(Sequential model, string modelText, string source, int epochs, Dataset test, Sequential? initial)
    {
        var trained = Copy(FirstConv(model, modelText).Weight);
        (float[] W, int[] Shape)? start = initial is null ? null : Copy(FirstConv(initial, modelText).Weight);
        var changes = initial is null ? [] : Changes(model, initial);
        model.Eval();
        var predictions = Predict(model, test);
        var classes = test.ClassNames.ToArray();
        int k = classes.Length;
        var confusion = new int[k, k];
        for (int i = 0; i < test.Count; i++) confusion[test.Labels[i], predictions[i]]++;
        var evaluation = new Evaluation(double.NaN, predictions.Select((p, i) => p == test.Labels[i] ? 1.0 : 0).Average(), confusion);
        var perClass = evaluation.PerClassAccuracy();
        var confused = new List<ConfusedPair>();
        for (int a = 0; a < k; a++)
        {
            int total = 0;
            for (int b = 0; b < k; b++) total += confusion[a, b];
            for (int b = 0; b < k; b++)
                if (a != b && confusion[a, b] > 0) confused.Add(new ConfusedPair(classes[a], classes[b], confusion[a, b], (double)confusion[a, b] / Math.Max(1, total)));
        }
        var top = confused.OrderByDescending(c => c.Count).ThenBy(c => c.Actual, StringComparer.Ordinal).Take(4).ToList();

        // The example: the first test image the network gets right, of the class it gets right most often.
        int exampleClass = Enumerable.Range(0, k).MaxBy(c => double.IsNaN(perClass[c]) ? -1 : perClass[c]);
        int example = Enumerable.Range(0, test.Count).FirstOrDefault(i => test.Labels[i] == exampleClass && predictions[i] == exampleClass);
        var (maps, mapFigures) = FeatureMaps(model, test, example, classes[exampleClass]);

        var figures = new List<Figure>();
        var trainedStats = Statistics(trained);
        FilterStatistics? initialStats = start is { } init ? Statistics(init) : null;
        if (start is { } i0)
            figures.Add(FilterFigure(i0, "filters-initial.svg", "First-layer filters at initialization",
                "Each cell is one k×k filter of the first convolution as its initializer drew it: independent random weights (blue < 0 < red, one scale for the grid)."));
        figures.Add(FilterFigure(trained, "filters-trained.svg", $"First-layer filters after {epochs} epoch(s)",
            changes.Count > 0
                ? $"The same filters after training; they moved by {changes[0].RelativeChange:P0} of their initial size (‖W − W₀‖/‖W₀‖). Compare cell by cell with the figure above."
                : "The filters after training (blue < 0 < red, one scale for the grid)."));
        if (changes.Count > 0) figures.Add(ChangeFigure(changes));
        figures.AddRange(mapFigures);
        figures.Add(PerClassFigure(classes, perClass));
        figures.Add(ConfusedFigure(model, test, predictions, top, classes));
        return new FiltersResult(modelText, source, epochs, evaluation.Accuracy, classes, perClass, top, initialStats, trainedStats, changes, classes[exampleClass], maps, figures);
    }

    /// <summary>‖W − W₀‖/‖W₀‖ of every convolution's and linear layer's weight, in layer order.</summary>
    private static List<LayerChange> Changes(Sequential model, Sequential initial)
    {
        var before = initial.StateDict();
        var list = new List<LayerChange>();
        foreach (var (name, layer) in model.NamedModules())
        {
            Tensor? w = layer switch { Conv2d c => c.Weight, Linear l => l.Weight, _ => null };
            if (w is null || !before.TryGetValue(name + ".weight", out var w0)) continue;
            double diff = 0, norm = 0;
            var (a, b) = (w.ToArray(), w0.ToArray());
            for (int i = 0; i < a.Length; i++) { diff += (a[i] - b[i]) * (a[i] - b[i]); norm += b[i] * b[i]; }
            list.Add(new LayerChange(name, layer.TypeName, w.ShapeArray, norm > 0 ? Math.Sqrt(diff / norm) : double.NaN));
        }
        return list;
    }

    private static Figure ChangeFigure(List<LayerChange> changes)
    {
        var chart = new BarChart { Title = "How far each layer's weights moved from initialization", XLabel = "‖W − W₀‖ / ‖W₀‖",
            Format = v => v.ToString("0%", System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var c in changes) chart.Add($"{c.Layer} {c.Type} {Shape.Format(c.Shape)}", c.RelativeChange);
        return new Figure("filters-change.svg", "How far each layer moved",
            "The relative distance of each weight from its initial value. Where the first layer moves little, its random filters were already useful edge and blob detectors, and the learning happened further up.", chart.ToSvg());
    }

    private static Conv2d FirstConv(Sequential model, string modelText) =>
        model.Layers.OfType<Conv2d>().FirstOrDefault() ?? throw new ArgumentException($"lab filters: the model '{modelText}' has no convolution; use a CNN, e.g. --model cnn.");

    private static (float[] W, int[] Shape) Copy(Tensor w) => (w.ToArray().Select(v => (float)v).ToArray(), w.ShapeArray);

    /// <summary>Mean Pearson correlation of horizontally and vertically adjacent weights, pooled over every filter and input channel.</summary>
    internal static FilterStatistics Statistics((float[] W, int[] Shape) f)
    {
        int count = f.Shape[0], channels = f.Shape[1], h = f.Shape[2], w = f.Shape[3];
        var a = new List<double>();
        var b = new List<double>();
        for (int o = 0; o < count; o++)
            for (int c = 0; c < channels; c++)
            {
                int baseIndex = (o * channels + c) * h * w;
                for (int r = 0; r < h; r++)
                    for (int q = 0; q < w; q++)
                    {
                        if (q + 1 < w) { a.Add(f.W[baseIndex + r * w + q]); b.Add(f.W[baseIndex + r * w + q + 1]); }
                        if (r + 1 < h) { a.Add(f.W[baseIndex + r * w + q]); b.Add(f.W[baseIndex + (r + 1) * w + q]); }
                    }
            }
        return new FilterStatistics(count, h, w, Correlation(a, b), f.W.Average(v => Math.Abs((double)v)));
    }

    private static double Correlation(List<double> a, List<double> b)
    {
        if (a.Count < 2) return double.NaN;
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Count; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : 0;
    }

    private static int[] Predict(Sequential model, Dataset test)
    {
        var predictions = new int[test.Count];
        using var _ = Autograd.NoGrad();
        for (int start = 0; start < test.Count; start += 1000)
        {
            int n = Math.Min(1000, test.Count - start);
            var x = Tensor.Zeros(DType.Float32, n, test.FeatureCount);
            for (int i = 0; i < n; i++) test.CopyRow(start + i, x.Floats.Slice(i * test.FeatureCount, test.FeatureCount));
            var logits = model.Forward(x.To(model.Parameters[0].DType));   // [n, classes]
            logits.ArgMax(1).CopyTo(predictions, start);
        }
        return predictions;
    }

    private static float[] Image(Dataset test, int i)
    {
        var row = new float[test.FeatureCount];
        test.CopyRow(i, row);
        return row;
    }

    /// <summary>Runs the example layer by layer and draws, after each activation with an image output, its 16 most active channels.</summary>
    private static (List<FeatureMapLayer>, List<Figure>) FeatureMaps(Sequential model, Dataset test, int example, string className)
    {
        var shape = model.InputShape ?? test.FeatureShape;
        var pixels = Image(test, example);
        var layers = new List<FeatureMapLayer>();
        var figures = new List<Figure>();
        var input = new ImageGrid { Title = $"The example: a test image of class '{className}'", Columns = 1, Cell = 140 };
        input.Add(pixels, shape[^2], shape[^1], className);
        figures.Add(new Figure("filters-example.svg", "The example image", "The test image whose feature maps follow (gray levels from its darkest to its brightest pixel).", input.ToSvg()));
        using var _ = Autograd.NoGrad();
        var x = model.AsInput(Tensor.From(pixels, 1, pixels.Length).To(model.Parameters[0].DType));   // [1, C, H, W]
        int block = 0;
        for (int i = 0; i < model.Count; i++)
        {
            x = model[i].Call(x);
            if (x.Rank != 4 || model[i] is not ReLU) continue;
            block++;
            int c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
            var maps = x.ToArray().Select(v => (float)v).ToArray();
            var strongest = Enumerable.Range(0, c).OrderByDescending(ch => maps.AsSpan(ch * h * w, h * w).ToArray().Average()).ThenBy(ch => ch).Take(16).ToArray();
            var grid = new ImageGrid
            {
                Title = $"Block {block}: feature maps after layer {i} (ReLU), {c} channels of {h}×{w}",
                Subtitle = "the 16 channels with the largest mean activation; each map scaled from its own minimum (black) to maximum (white)",
                Columns = 8, Cell = 72,
            };
            foreach (int ch in strongest) grid.Add(maps.AsSpan(ch * h * w, h * w), h, w, $"channel {ch}");
            layers.Add(new FeatureMapLayer($"{i} ({model[i].TypeName})", [c, h, w], strongest));
            figures.Add(new Figure($"filters-maps-{block}.svg", $"Feature maps of block {block}",
                block == 1 ? "Each map is one filter's response over the image: outlines, edges of one direction, bright or dark regions."
                           : "Deeper, after pooling: coarser maps, each responding to a larger part of the picture (a sole, a sleeve, a collar).", grid.ToSvg()));
        }
        return (layers, figures);
    }

    private static Figure FilterFigure((float[] W, int[] Shape) f, string file, string title, string caption)
    {
        int count = f.Shape[0], channels = f.Shape[1], h = f.Shape[2], w = f.Shape[3];
        var grid = new ImageGrid { Title = title, Subtitle = $"{count} filters of {h}×{w}" + (channels > 1 ? " (input channel 0)" : ""), Columns = 8, Cell = 54, Scale = ImageScale.Diverging };
        for (int o = 0; o < count; o++) grid.Add(f.W.AsSpan(o * channels * h * w, h * w), h, w, $"filter {o}");
        return new Figure(file, title, caption, grid.ToSvg());
    }

    private static Figure PerClassFigure(string[] classes, double[] perClass)
    {
        var chart = new BarChart { Title = "Test accuracy per class", XLabel = "accuracy on the test images of the class", XRange = (0, 1), Format = v => v.ToString("0.0%", System.Globalization.CultureInfo.InvariantCulture) };
        for (int c = 0; c < classes.Length; c++) chart.Add(classes[c], perClass[c]);
        var weakest = Enumerable.Range(0, classes.Length).Where(c => double.IsFinite(perClass[c])).OrderBy(c => perClass[c]).Take(2).ToList();
        string caption = weakest.Count == 0 ? "No class has test images."
            : $"The mistakes concentrate where classes look alike: the weakest are {string.Join(" and ", weakest.Select(c => $"{classes[c]} ({perClass[c]:P1})"))}.";
        return new Figure("filters-per-class.svg", "Accuracy per class", caption, chart.ToSvg());
    }

    private static Figure ConfusedFigure(Sequential model, Dataset test, int[] predictions, List<ConfusedPair> pairs, string[] classes)
    {
        var grid = new ImageGrid { Title = "The most confused pairs: test images and what the network said", Subtitle = "each row: test images (#index) of the true class that the network gave the other class", Columns = 6, Cell = 64 };
        var shape = model.InputShape ?? test.FeatureShape;
        foreach (var pair in pairs)
        {
            int a = Array.IndexOf(classes, pair.Actual), b = Array.IndexOf(classes, pair.Predicted), shown = 0;
            grid.Row($"{pair.Actual} taken for {pair.Predicted}: {pair.Count} test images ({pair.Share:P1} of {pair.Actual})");
            for (int i = 0; i < test.Count && shown < 6; i++)
                if (test.Labels[i] == a && predictions[i] == b) { grid.Add(Image(test, i), shape[^2], shape[^1], $"#{i}", "#b2182b"); shown++; }
        }
        return new Figure("filters-confused.svg", "Most confused pairs",
            "Six test images of each of the most frequent mistakes: many are ambiguous even to a person at 28×28.", grid.ToSvg());
    }
}
