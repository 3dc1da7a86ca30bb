using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
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
                var initial = TrainingJob.InitialModel(trained.Config, trained.FeatureShape, trained.IsRegression ? trained.TargetNames.Count : trained.ClassNames.Count);
                r = FiltersLab.Measure(trained.Model, trained.Config.Model.ToString(), $"checkpoint {dir}", trained.Config.Epochs, test, initial);
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
                .AddColumns("layer", "weight", "moved ‖W − W₀‖/‖W₀‖");
            foreach (var ch in r.Changes) t.AddRow(Markup.Escape(ch.Layer + " " + ch.Type), Markup.Escape(Shape.Format(ch.Shape)), P(ch.RelativeChange));
            t.Caption($"first-layer filters: neighbour correlation {(r.Initial is { } i0 ? G(i0.NeighbourCorrelation) + " at initialization, " : "")}{G(r.Trained.NeighbourCorrelation)} after training");
            var classes = new Table().Title("Test accuracy per class").AddColumns("class", "accuracy");
            for (int k = 0; k < r.ClassNames.Length; k++) classes.AddRow(Markup.Escape(r.ClassNames[k]), P(r.PerClassAccuracy[k]));
            var confused = new Table().Title("Most confused pairs").AddColumns("true class", "taken for", "test images", "share of the class");
            foreach (var pair in r.Confused) confused.AddRow(Markup.Escape(pair.Actual), Markup.Escape(pair.Predicted), pair.Count.ToString(CultureInfo.InvariantCulture), P(pair.Share));
            string worst = r.ClassNames[Enumerable.Range(0, r.ClassNames.Length).MinBy(k => double.IsNaN(r.PerClassAccuracy[k]) ? 2 : r.PerClassAccuracy[k])];
            string moved = r.Changes.Count switch
            {
                0 => $"the first-layer filters' neighbouring weights correlate at {G(r.Trained.NeighbourCorrelation)} (≈ 0 for random filters); ",
                _ when r.Changes[0].RelativeChange < r.Changes.Skip(1).Select(ch => ch.RelativeChange).DefaultIfEmpty(0).Max()
                    => $"the first layer's filters moved {P(r.Changes[0].RelativeChange)} from their random start, less than the layers above (up to {P(r.Changes.Skip(1).Max(ch => ch.RelativeChange))}): " +
                       "small random filters already detect edges and blobs, and most of the learning happens further up; ",
                _ => $"the first layer's filters moved {P(r.Changes[0].RelativeChange)} from their random start, more than any layer above: they were reshaped into the detectors the next layers use; ",
            };
            string verdict = moved + $"the weakest class is {worst} ({P(r.PerClassAccuracy.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min())}), and the most common mistake is " +
                (r.Confused.Count > 0 ? $"{r.Confused[0].Actual} taken for {r.Confused[0].Predicted} ({r.Confused[0].Count} test images)." : "none.");
            return Publish(p, c, watch, r, r.Figures, new Words("filters", Chapter.Vision, "Seeing what a CNN learned",
                "a_c(i, j) = ReLU(BN(Σ_{u,v} w_c(u, v)·x(i + u, j + v) + b_c))",
                "A convolution slides each small filter w_c over the image; its feature map a_c is large where the image looks like the filter. " +
                "Drawn as images, the first layer's filters and their maps show what the network looks at: edges of each direction, bright and dark regions; " +
                "later layers see coarser maps that respond to larger parts. How far each layer moved from its initialization shows where the learning happened, " +
                "and the confusions show what the network still cannot tell apart."),
                [t, classes, confused], verdict);
        });
        return cmd;
    }
}
