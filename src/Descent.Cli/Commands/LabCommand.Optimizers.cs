using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Lab;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    private static Command Optimizers()
    {
        var c = new Common();
        var cmd = c.Command("optimizers", "SGD, Momentum, Nesterov, Adagrad, RMSprop and Adam racing on the elongated bowl, the saddle, noisy mini-batch gradients and Rosenbrock, each at its best setting of one grid.");
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var races = OptimizersLab.DefaultRaces(p.GetValue(c.Seed));
            var r = OptimizersLab.Run(races);
            var tables = new List<IRenderable>();
            foreach (var race in races)
            {
                var runs = r.Runs.Where(x => x.Race == race.Name).ToList();
                string goal = race.Minimum is null ? "f ≤ −f(x₀)" : $"f − f* ≤ {race.Tolerance:0e0}·gap";
                var t = new Table().Title($"{race.Name}: steps to {goal} (budget {race.Iterations})").AddColumns("optimizer", "setting", "steps", "final f", race.Minimum is null ? "mean f, last ¼" : "mean f − f*, last ¼");
                foreach (var run in runs.OrderBy(x => x.Diverged).ThenBy(x => x.StepsToGoal ?? int.MaxValue).ThenBy(x => x.Floor))
                    t.AddRow(run.Optimizer, run.Settings, run.Diverged ? "diverged" : run.StepsToGoal?.ToString(CultureInfo.InvariantCulture) ?? "not reached",
                        G(run.FinalF), G(run.Floor));
                tables.Add(t);
            }
            var el = r.Runs.Where(x => x.Race == "elongated").ToDictionary(x => x.Optimizer);
            string verdict = $"at each one's best setting, Momentum reaches the elongated bowl's goal in {Steps(el["Momentum"])} steps and SGD in {Steps(el["SGD"])}: momentum damps the zig-zag. " +
                $"Settings: the lowest mean f − f* over the last quarter of the budget, among {r.SettingsTried} runs (α ∈ {{1, 1.5, 2, 3, 5, 7}}×10ᵏ, β ∈ {{0.5, 0.9}}).";
            return Publish(p, c, watch, r, r.Figures, Words.Of(Lesson.Optimizers), tables, verdict);
        });
        return cmd;
    }

    private static string Steps(OptimizerRun r) => r.StepsToGoal?.ToString(CultureInfo.InvariantCulture) ?? "(never)";
}
