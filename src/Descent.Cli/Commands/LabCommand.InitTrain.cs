using System.CommandLine;
using System.Diagnostics;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    private static Command InitTrain()
    {
        var c = new Common();
        var widths = new Option<string>("--widths") { Description = "Layer widths including input (2) and classes (2).", DefaultValueFactory = _ => "2,10,5,2" };
        var inits = new Option<string>("--inits") { Description = "Initializers to compare, separated by ';'.", DefaultValueFactory = _ => "zeros;normal:10;he" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 60 };
        var samples = new Option<int>("--samples") { Description = "Points of the circles set (a quarter held out for testing).", DefaultValueFactory = _ => 800 };
        var opt = new Option<string>("--optimizer") { Description = "Optimizer text form, the same for every initialization (default: plain gradient descent, as in the course).", DefaultValueFactory = _ => InitTrainLab.DefaultOptimizer };
        var cmd = c.Command("init-train", "A 3-layer ReLU network on circles trained from zeros, normal×10 and He: loss, accuracy, decision regions, and the symmetry of zeros.",
            widths, inits, epochs, samples, opt);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var w = ParseWidths(p.GetValue(widths)!, "--widths");
            int e = p.GetValue(epochs), n = p.GetValue(samples);
            if (e < 1) throw new UserException($"--epochs must be ≥ 1, got {e}.");
            if (n < 20) throw new UserException($"--samples must be ≥ 20, got {n}.");
            var list = p.GetValue(inits)!.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var i in list) Descent.Init.Initializer.Parse(i);
            var r = InitTrainLab.Run(w, list, e, n, p.GetValue(opt)!, p.GetValue(c.Seed));
            var t = new Table().Title($"Circles, ReLU {string.Join("-", w)}, {Markup.Escape(r.Optimizer)}, batch {r.BatchSize}")
                .AddColumns("init", "loss ep 0", "loss last", "train acc", "test acc", "distinct units");
            foreach (var run in r.Runs)
            {
                var last = run.Epochs[^1];
                t.AddRow(Markup.Escape(run.Init), G(run.Epochs[0].TrainLoss), G(last.TrainLoss), P(last.TrainAccuracy), P(last.TestAccuracy),
                    string.Join("/", run.FinalDistinctUnits));
            }
            t.Caption("distinct units: hidden units per layer that differ from each other (zeros: 1 — every unit the same).");
            string verdict = string.Join("; ", r.Runs.Select(x => $"{x.Init} ends at {P(x.Epochs[^1].TestAccuracy)} test accuracy")) +
                ": zeros never breaks symmetry (chance), too large weights train poorly, He trains well.";
            string variant = Variant(("widths", p.GetValue(widths), "2,10,5,2"), ("inits", p.GetValue(inits), "zeros;normal:10;he"),
                ("epochs", e.ToString(), "60"), ("samples", n.ToString(), "800"), ("optimizer", p.GetValue(opt), InitTrainLab.DefaultOptimizer));
            var figures = r.Figures.Select(f => variant.Length == 0 ? f : f with { FileName = f.FileName.Replace("init-train", "init-train" + variant) }).ToList();
            return Publish(p, c, watch, r, figures, new Words("init-train" + variant, Chapter.Initialization,
                "Training from zeros, normal × 10 and He" + (variant.Length > 0 ? $" ({variant[1..]})" : ""),
                "zeros: W = 0 · normal × 10: W ~ N(0, 10²) · He: W ~ N(0, 2/fan_in); plain gradient descent W ← W − α∂L/∂W, same α for all",
                "Zeros: every hidden unit computes the same thing and gets the same gradient, so they stay identical and the net is no better than chance. " +
                "Normal × 10: huge weights, huge logits, a loss that starts very high; it trains, poorly. He (variance 2/fan_in) suits ReLU and finds the ring."),
                [t], verdict);
        });
        return cmd;
    }
}
