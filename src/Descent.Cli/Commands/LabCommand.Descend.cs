using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    private static Command Descend()
    {
        var c = new Common();
        var cmd = c.Command("descend", "Gradient descent on the notes' functions: learning rates too small, right and too large; saddles; stationary points.");
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var r = DescendLab.Run();
            var t = new Table().Title("Gradient descent x ← x − γ∇f(x)").AddColumns("f", "γ", "start", "steps", "final x", "f(x)", "verdict");
            foreach (var run in r.Runs)
                t.AddRow(Markup.Escape(run.Function), G(run.LearningRate), Vec(run.Start), run.Iterations.ToString(CultureInfo.InvariantCulture),
                    Vec(run.FinalX), G(run.FinalF), run.Status == DescentStatus.Diverged ? "[red]diverged[/]" : Markup.Escape(run.StatusText));
            t.Caption(GradientDescent.Criterion);
            var s = new Table().Title("Stationary points of x₁² + x₁ − 4x₁x₂ + x₁³x₂").AddColumns("x", "f(x)", "Hessian eigenvalues", "kind");
            foreach (var sp in r.StationaryPoints) s.AddRow(Vec(sp.X), G(sp.F), Vec(sp.Eigenvalues), sp.KindText);
            s.Caption(DescendLab.NotesCorrections);
            return Publish(p, c, watch, r, r.Figures, Words.Of(Lesson.Descend), [t, s],
                "γ must fit the curvature: below 2/f″ descent converges (slowly when γ is small), at 2/f″ it bounces, above it diverges; ∇f = 0 is not always a minimum.");
        });
        return cmd;
    }
}
