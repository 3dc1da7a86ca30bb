using System.CommandLine;
using System.Diagnostics;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    private static Command Regularization()
    {
        var c = new Common();
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 200 };
        var opt = new Option<string>("--optimizer") { Description = "Optimizer text form (weight_decay is added for the L2 runs).", DefaultValueFactory = _ => "adam:lr=0.003" };
        var cmd = c.Command("regularization", "Dropout and L2 on a network that overfits: train and test loss, and the weight norm.", epochs, opt);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            int e = p.GetValue(epochs);
            if (e < 1) throw new UserException($"--epochs must be ≥ 1, got {e}.");
            var r = RegularizationLab.Run(e, p.GetValue(opt)!, p.GetValue(c.Seed));
            var t = new Table().Title($"Moons, {r.TrainSamples} training points, ReLU {string.Join("-", r.Widths)}, {Markup.Escape(r.Optimizer)}")
                .AddColumns("network", "train loss", "test loss", "gap", "test acc", "‖W‖₂");
            foreach (var run in r.Runs)
                t.AddRow(Markup.Escape(run.Name), G(run.TrainLoss[^1]), G(run.TestLoss[^1]), G(run.TestLoss[^1] - run.TrainLoss[^1]), P(run.TestAccuracy), G(run.WeightNorm[^1]));
            t.Caption("losses in eval mode (dropout off) on the whole sets, after the last epoch; gap = test − train.");
            var plain = r.Runs[0];
            var drop = r.Runs[1];
            var l2 = r.Runs[^1];
            string verdict = $"the plain net's test loss ends {G(plain.TestLoss[^1] - plain.TrainLoss[^1])} above its train loss, dropout's {G(drop.TestLoss[^1] - drop.TrainLoss[^1])}; " +
                $"L2 λ = 1e-2 holds ‖W‖₂ at {G(l2.WeightNorm[^1])} against {G(plain.WeightNorm[^1])}.";
            string variant = Variant(("epochs", e.ToString(), "200"), ("optimizer", p.GetValue(opt), "adam:lr=0.003"));
            var figures = r.Figures.Select(f => variant.Length == 0 ? f : f with { FileName = f.FileName.Replace("regularization", "regularization" + variant) }).ToList();
            return Publish(p, c, watch, r, figures, new Words("regularization" + variant, Chapter.Regularization, "Dropout and L2" + (variant.Length > 0 ? $" ({variant[1..]})" : ""),
                "L2: J + (λ/2)‖W‖², so W ← W − α(∂J/∂W + λW) · dropout: h ← m ⊙ h / (1 − p), m ~ Bernoulli(1 − p)",
                "A big network on few noisy points fits the noise: its training loss keeps falling while the test loss turns up. Dropout (every unit may vanish, " +
                "so none can be relied on) and L2 (weights pulled towards 0) narrow that gap."), [t], verdict);
        });
        return cmd;
    }
}
