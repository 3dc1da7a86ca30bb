using System.CommandLine;
using System.Diagnostics;
using Descent.Data;
using Descent.Lab;
using Descent.Nn;
using Descent.Training;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    private static Command Filters()
    {
        var c = new Common();
        var model = new Option<string>("--model") { Description = "The CNN to train, as text.", DefaultValueFactory = _ => "cnn" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 2 };
        var data = new Option<string>("--data") { Description = "Image data set.", DefaultValueFactory = _ => "fashion-mnist" };
        var from = new Option<string?>("--from") { Description = "Look at a trained checkpoint instead (a folder written by descent train --model cnn --out DIR)." };
        var cmd = c.Command("filters", "What a CNN learned: its first-layer filters before and after training, the feature maps of one image, and the classes it confuses.",
            model, epochs, data, from);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            FiltersResult r;
            if (p.GetValue(from) is { } dir)
            {
                var trained = TrainedModel.Load(dir);
                var pair = DatasetSpec.Load(trained.Config.Data, trained.Config.Seed, trained.Config.Target);
                var test = trained.Normalizer is { } n ? n.Transform(pair.Test) : pair.Test;
                r = FiltersLab.Measure(trained.Model, trained.Config.Model.ToString(), $"checkpoint {dir}", trained.Config.Epochs, test, null);
            }
            else
            {
                int e = p.GetValue(epochs);
                if (e < 1) throw new UserException($"--epochs must be ≥ 1, got {e}.");
                ModelSpec spec;
                try { spec = ModelSpec.Parse(p.GetValue(model)!); }
                catch (ArgumentException ex) { throw new UserException("--model: " + ex.Message); }
                var config = new TrainConfig { Data = p.GetValue(data)!, Model = spec, Epochs = e, Seed = p.GetValue(c.Seed) };
                var progress = p.GetValue(c.Json) ? null : new Action<EpochMetrics>(m => AnsiConsole.MarkupLine($"[grey]epoch {m.Epoch + 1}/{e}: loss {G(m.TrainLoss)}, {m.SamplesPerSecond:N0} samples/s[/]"));
                r = FiltersLab.Train(config, progress);
            }
            var t = new Table().Title($"What the CNN learned ({Markup.Escape(r.Model)}, {Markup.Escape(r.Source)}, test accuracy {P(r.TestAccuracy)})")
                .AddColumns("measure", "value");
            if (r.Initial is { } i0) t.AddRow("first-layer filters: neighbour correlation at initialization", G(i0.NeighbourCorrelation));
            t.AddRow($"first-layer filters ({r.Trained.Count} of {r.Trained.Height}×{r.Trained.Width}): neighbour correlation after training", G(r.Trained.NeighbourCorrelation));
            foreach (var layer in r.FeatureMaps) t.AddRow($"feature maps of layer {Markup.Escape(layer.Layer)}", Markup.Escape(Shape.Format(layer.Shape)));
            for (int k = 0; k < r.ClassNames.Length; k++) t.AddRow($"accuracy: {Markup.Escape(r.ClassNames[k])}", P(r.PerClassAccuracy[k]));
            foreach (var pair in r.Confused) t.AddRow($"confused: {Markup.Escape(pair.Actual)} → {Markup.Escape(pair.Predicted)}", $"{pair.Count} ({P(pair.Share)} of {Markup.Escape(pair.Actual)})");
            string worst = r.ClassNames[Enumerable.Range(0, r.ClassNames.Length).MinBy(k => double.IsNaN(r.PerClassAccuracy[k]) ? 2 : r.PerClassAccuracy[k])];
            string structure = r.Initial is { } init
                ? $"neighbouring weights of the first-layer filters correlate at {G(r.Trained.NeighbourCorrelation)} after training against {G(init.NeighbourCorrelation)} at initialization: the random filters became smooth, oriented detectors; "
                : $"neighbouring weights of the first-layer filters correlate at {G(r.Trained.NeighbourCorrelation)} (≈ 0 for random filters); ";
            string verdict = structure + $"the weakest class is {worst} ({P(r.PerClassAccuracy.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min())}), and the most common mistake is " +
                (r.Confused.Count > 0 ? $"{r.Confused[0].Actual} → {r.Confused[0].Predicted} ({r.Confused[0].Count} test images)." : "none.");
            return Publish(p, c, watch, r, r.Figures, new Words("filters", Chapter.Vision, "Seeing what a CNN learned",
                "a_c(i, j) = ReLU(BN(Σ_{u,v} w_c(u, v)·x(i + u, j + v) + b_c))",
                "A convolution slides each small filter w_c over the image; its feature map a_c is large where the image looks like the filter. " +
                "Drawn as images, first-layer filters turn from noise into edge, gradient and blob detectors; later layers see coarser maps that respond to larger parts. " +
                "The confusions show what the network still cannot tell apart."),
                [t], verdict);
        });
        return cmd;
    }
}
