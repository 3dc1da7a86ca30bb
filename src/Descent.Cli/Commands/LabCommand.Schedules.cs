using System.CommandLine;
using System.Diagnostics;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    private static Command Schedules()
    {
        var c = new Common();
        var lr = new Option<double>("--lr") { Description = "Base learning rate α₀.", DefaultValueFactory = _ => 0.1 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to plot.", DefaultValueFactory = _ => 50 };
        var steps = new Option<int>("--steps-per-epoch") { Description = "Optimizer steps per epoch (for per-step schedules).", DefaultValueFactory = _ => 100 };
        var extra = new Option<string[]>("--schedule") { Description = "Also plot this schedule (text form, repeatable), e.g. cosine:tmax=30.", AllowMultipleArgumentsPerToken = false };
        var cmd = c.Command("schedules", "Learning-rate decay: why (a noisy run settles only when α shrinks) and how (the notes' decays and the others).",
            lr, epochs, steps, extra);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            int e = p.GetValue(epochs), spe = p.GetValue(steps);
            var mine = p.GetValue(extra) ?? [];
            var list = SchedulesLab.NotesSchedules.Select(s => (s, "Decays of the notes"))
                .Concat(SchedulesLab.OtherSchedules(e, spe).Select(s => (s, "Other schedules")))
                .Concat(mine.Select(s => (s, "Your schedules"))).ToList();
            var r = SchedulesLab.Run(p.GetValue(lr), e, spe, list, p.GetValue(c.Seed));
            int[] at = [.. new[] { 0, 1, 5, 10, e / 2, e }.Distinct()];
            var t = new Table().Title($"Learning rate by epoch (α₀ = {G(r.BaseRate)}, {spe} steps/epoch)").AddColumn("text form (--schedule)");
            foreach (int k in at) t.AddColumn(new TableColumn($"ep {k}").RightAligned());
            foreach (var curve in r.Curves)
                t.AddRow([Markup.Escape(curve.Spec), .. at.Select(k => G(curve.Rates[k]))]);
            var noisy = new Table().Title("SGD on noisy mini-batch gradients of 0.1x₁² + x₂², 40 epochs").AddColumns("α", "mean f − f*, last epoch");
            foreach (var n in r.Noisy) noisy.AddRow(Markup.Escape(n.Schedule), G(n.FinalGap));
            string verdict = $"on noisy gradients constant α hovers at f − f* ≈ {G(r.Noisy[0].FinalGap)}, decayed α settles at {G(r.Noisy[1].FinalGap)}: decay shrinks the neighbourhood of the minimum.";
            string variant = Variant(("lr", G(p.GetValue(lr)), "0.1"), ("epochs", e.ToString(), "50"), ("steps", spe.ToString(), "100"), ("schedule", mine.Length == 0 ? null : string.Join("-", mine), ""));
            var figures = r.Figures.Select(f => variant.Length == 0 ? f : f with { FileName = f.FileName.Replace("schedules", "schedules" + variant) }).ToList();
            return Publish(p, c, watch, r, figures, Words.Of(Lesson.Schedules.WithVariant(variant)), [noisy, t], verdict);
        });
        return cmd;
    }
}
