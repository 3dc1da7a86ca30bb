using System.CommandLine;
using System.Diagnostics;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    private static Command GradCheckLab()
    {
        var c = new Common();
        var cmd = c.Command("gradcheck", "Gradient checking as an experiment: a correct backward pass, float32 rounding and two bugs against central differences, over ε.");
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var r = Lab.GradCheckLab.Run(p.GetValue(c.Seed));
            var t = new Table().Title("Relative difference ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖)").AddColumns("backward pass", "ε = 1e-7", "best over ε", "verdict");
            foreach (var run in r.Runs)
                t.AddRow(Markup.Escape(run.Name), G(run.AtNotesEpsilon), G(run.RelativeDifferences.Min()), run.Verdict == "a bug" ? "[red]a bug[/]" : run.Verdict);
            t.Caption(Lab.GradCheckLab.Rule);
            string verdict = $"the correct backward pass scores {G(r.Runs[0].AtNotesEpsilon)}, a 0.1 % error {G(r.Runs[3].AtNotesEpsilon)}, forgetting f′ {G(r.Runs[2].AtNotesEpsilon)}: " +
                $"the check finds both bugs; check in float64 (float32 rounding alone gives {G(r.Runs[1].AtNotesEpsilon)}).";
            return Publish(p, c, watch, r, r.Figures, new Words("gradcheck", Chapter.Checking, "Gradient checking",
                "ĝᵢ = (J(θ + εeᵢ) − J(θ − εeᵢ)) / 2ε · difference = ‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂)",
                "Backpropagation is easy to get subtly wrong, so compare it with central differences on a small net: below 1e-7 the gradient is right, " +
                "above 1e-3 it is wrong. A bug shows as a difference that stays flat whatever ε; a correct gradient's falls as ε² until rounding takes over."),
                [t], verdict);
        });
        return cmd;
    }
}
