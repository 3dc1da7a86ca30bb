using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    private static Command Vanishing()
    {
        var c = new Common();
        var depths = new Option<string>("--depths") { Description = "Depths to compare, comma-separated.", DefaultValueFactory = _ => "20,50,100" };
        var width = new Option<int>("--width") { Description = "Width of every layer.", DefaultValueFactory = _ => 64 };
        var samples = new Option<int>("--samples") { Description = "Number of input samples.", DefaultValueFactory = _ => 128 };
        var acts = new Option<string>("--activations") { Description = "Activations, comma-separated.", DefaultValueFactory = _ => "sigmoid,tanh,relu" };
        var init = new Option<string?>("--init") { Description = "Initializer for every layer of the plain and residual stacks (default: xavier for sigmoid/tanh, he for relu)." };
        var cmd = c.Command("vanishing", "Gradient norm per layer at initialization for deep sigmoid/tanh/ReLU stacks: plain, residual, and residual with branches ×1/√depth.",
            depths, width, samples, acts, init);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var ds = ParseWidths(p.GetValue(depths)!, "--depths");
            var activations = p.GetValue(acts)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var a in activations) Nn.Activation.Create(a);
            var r = VanishingLab.Run(ds, activations, p.GetValue(width), p.GetValue(samples), p.GetValue(c.Seed), p.GetValue(init));
            var t = new Table().Title($"Gradient norms at initialization (width {r.Width}, {r.Samples} samples)")
                .AddColumns("act", "depth", "stack", "‖∂L/∂W₁‖", "ratio r", "out std s", "verdict");
            foreach (var run in r.Runs)
                t.AddRow(run.Activation, run.Depth.ToString(CultureInfo.InvariantCulture), run.KindText, G(run.GradientNorms[0]), G(run.FirstToLast), G(run.OutputStd),
                    run.Verdict == "kept" ? "kept" : $"[red]{run.Verdict}[/]");
            t.Caption(VanishingLab.Criterion);
            var worst = r.Runs.Where(x => x.Kind == StackKind.Residual).MaxBy(x => x.GradientNorms[0])!;
            var scaled = r.Runs.Where(x => x.Kind == StackKind.ScaledResidual).ToList();
            string Count(StackKind k, string v) => $"{r.Runs.Count(x => x.Kind == k && x.Verdict == v)} of {r.Runs.Count(x => x.Kind == k)}";
            string verdict = $"plain stacks vanish in {Count(StackKind.Plain, "vanishing")} runs; full-size residual branches explode in {Count(StackKind.Residual, "exploding")} " +
                $"({worst.Activation}, depth {worst.Depth}: ‖∂L/∂W₁‖ = {G(worst.GradientNorms[0])}); branches scaled by 1/√depth keep {Count(StackKind.ScaledResidual, "kept")} " +
                $"(ratio {G(scaled.Min(x => x.FirstToLast))} to {G(scaled.Max(x => x.FirstToLast))}).";
            string variant = Variant(("depths", p.GetValue(depths), "20,50,100"), ("width", p.GetValue(width).ToString(), "64"), ("samples", p.GetValue(samples).ToString(), "128"),
                ("activations", p.GetValue(acts), "sigmoid,tanh,relu"), ("init", p.GetValue(init), ""));
            var figures = r.Figures.Select(f => variant.Length == 0 ? f : f with { FileName = f.FileName.Replace("vanishing", "vanishing" + variant) }).ToList();
            return Publish(p, c, watch, r, figures, Words.Of(Lesson.Vanishing.WithVariant(variant)),
                [t], verdict);
        });
        return cmd;
    }
}
