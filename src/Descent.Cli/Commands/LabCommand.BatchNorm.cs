using System.CommandLine;
using System.Diagnostics;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    private static Command BatchNorm()
    {
        var c = new Common();
        var widths = new Option<string>("--widths") { Description = "Hidden layer widths.", DefaultValueFactory = _ => "100,100,100,100,100,100" };
        var act = new Option<string>("--activation") { Description = "Activation of every hidden layer.", DefaultValueFactory = _ => "tanh" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 30 };
        var samples = new Option<int>("--samples") { Description = "Points of the spirals set (a quarter held out for testing).", DefaultValueFactory = _ => 1500 };
        var opt = new Option<string>("--optimizer") { Description = "Optimizer text form.", DefaultValueFactory = _ => "sgd:lr=0.05,momentum=0.9" };
        var cmd = c.Command("batchnorm", "The same deep network from N(0, 0.01²) and N(0, 1) weights, with and without batch norm: training curves and per-layer statistics.",
            widths, act, epochs, samples, opt);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var hidden = ParseWidths(p.GetValue(widths)!, "--widths");
            int e = p.GetValue(epochs), n = p.GetValue(samples);
            if (e < 1) throw new UserException($"--epochs must be ≥ 1, got {e}.");
            if (n < 20) throw new UserException($"--samples must be ≥ 20, got {n}.");
            var r = BatchNormLab.Run(hidden, p.GetValue(act)!, e, n, p.GetValue(opt)!, p.GetValue(c.Seed));
            var t = new Table().Title($"Batch norm on spirals ({string.Join("-", hidden)} {Markup.Escape(r.Activation)}, {Markup.Escape(r.Optimizer)})")
                .AddColumns("network", "loss ep 0", "loss last", "test acc", "std 1 → last", "grad std 1 → last");
            foreach (var run in r.Runs)
            {
                var last = run.Epochs[^1];
                t.AddRow(Markup.Escape(run.Name), G(run.Epochs[0].TrainLoss), G(last.TrainLoss), P(last.TestAccuracy),
                    $"{G(run.Before[0].Std)} → {G(run.Before[^1].Std)}", $"{G(run.Before[0].GradientStd)} → {G(run.Before[^1].GradientStd)}");
            }
            t.Caption("std and grad std: at initialization, first hidden layer → last.");
            var plain = r.Runs.Where(x => !x.BatchNorm).ToList();
            var bn = r.Runs.Where(x => x.BatchNorm).ToList();
            string verdict = $"without batch norm the networks end at {string.Join(" and ", plain.Select(x => P(x.Epochs[^1].TestAccuracy)))} test accuracy, " +
                $"with it at {string.Join(" and ", bn.Select(x => P(x.Epochs[^1].TestAccuracy)))}: normalizing each layer makes training insensitive to the weights' scale.";
            string variant = Variant(("widths", p.GetValue(widths), "100,100,100,100,100,100"), ("activation", p.GetValue(act), "tanh"), ("epochs", e.ToString(), "30"),
                ("samples", n.ToString(), "1500"), ("optimizer", p.GetValue(opt), "sgd:lr=0.05,momentum=0.9"));
            var figures = r.Figures.Select(f => variant.Length == 0 ? f : f with { FileName = f.FileName.Replace("batchnorm", "batchnorm" + variant) }).ToList();
            return Publish(p, c, watch, r, figures, Words.Of(Lesson.BatchNorm.WithVariant(variant)),
                [t], verdict);
        });
        return cmd;
    }
}
