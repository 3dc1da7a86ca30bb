using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Plotting;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent lab &lt;experiment&gt;</c>: the notes' experiments. Each prints a table (or, with <c>--json</c>, one JSON
/// document with the numbers), writes its SVG figures into <c>--out</c> (default <c>out/lab</c>) and adds them to the
/// report page <c>index.html</c> there. The experiments live in <c>Descent.Lab</c>; this file only parses and prints.
/// </summary>
internal static partial class LabCommand
{
    public static Command Create()
    {
        var cmd = new Command("lab", "The notes' experiments: tables, SVG figures and an HTML report page (see `descent lab <experiment> --help`).");
        cmd.Subcommands.Add(Descend());
        foreach (var sub in More()) cmd.Subcommands.Add(sub);
        return cmd;
    }

    /// <summary>Options every experiment has.</summary>
    private sealed class Common
    {
        public Option<bool> Json { get; } = CliApp.JsonOption();
        public Option<ulong> Seed { get; } = CliApp.SeedOption();
        public Option<string> Out { get; } = new("--out") { Description = "Folder for the SVG figures and the report page index.html.", DefaultValueFactory = _ => "out/lab" };

        public Command Command(string name, string description, params Option[] extra)
        {
            var c = new Command(name, description) { Json, Seed, Out };
            foreach (var o in extra) c.Options.Add(o);
            return c;
        }
    }

    /// <summary>Writes the figures into the output folder, updates the report page, and returns their paths.</summary>
    private static (IReadOnlyList<string> Files, string Page) Save(string outDir, string section, IEnumerable<Figure> figures)
    {
        if (string.IsNullOrWhiteSpace(outDir)) throw new UserException("--out must name a folder, got an empty value.");
        var page = ReportPage.Open(outDir);
        var files = figures.Select(f => page.AddFigure(f.FileName, f.Svg, section, f.Title, f.Caption)).ToList();
        page.Save();
        return (files, page.PagePath);
    }

    /// <summary>Prints the JSON document (numbers + figure paths + timing) or the closing lines after a table.</summary>
    private static void Finish(bool json, object result, (IReadOnlyList<string> Files, string Page) saved, Stopwatch watch)
    {
        if (json)
        {
            CliApp.WriteJson(new { result, figures = saved.Files, report = saved.Page, seconds = Math.Round(watch.Elapsed.TotalSeconds, 3) });
            return;
        }
        AnsiConsole.MarkupLine($"[grey]{saved.Files.Count} figures in {Markup.Escape(Path.GetDirectoryName(saved.Page) ?? ".")}; report: {Markup.Escape(saved.Page)} ({watch.Elapsed.TotalSeconds:0.0} s)[/]");
    }

    private static string G(double v) => double.IsFinite(v)
        ? (Math.Abs(v) >= 1e5 || (Math.Abs(v) < 1e-3 && v != 0) ? v.ToString("0.##e+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture))
        : v.ToString(CultureInfo.InvariantCulture);

    private static string Vec(double[] v) => v.Length == 1 ? G(v[0]) : "(" + string.Join(", ", v.Select(G)) + ")";

    private static Command Descend()
    {
        var c = new Common();
        var cmd = c.Command("descend", "Gradient descent on the notes' functions: learning rates too small, right and too large; saddles; stationary points.");
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var r = Lab.DescendLab.Run();
            var saved = Save(p.GetValue(c.Out)!, "Gradient descent", r.Figures);
            if (!p.GetValue(c.Json))
            {
                var t = new Table().Title("Gradient descent  x ← x − γ∇f(x)").AddColumns("f", "γ", "start", "iterations", "final x", "f(x)", "‖∇f‖", "status");
                foreach (var run in r.Runs)
                    t.AddRow(Markup.Escape(run.Function), G(run.LearningRate), Vec(run.Start), run.Iterations.ToString(CultureInfo.InvariantCulture),
                        Vec(run.FinalX), G(run.FinalF), G(run.GradientNorm),
                        run.Status == Lab.DescentStatus.Diverged ? "[red]diverged[/]" : Markup.Escape(run.StatusText));
                AnsiConsole.Write(t);
                var s = new Table().Title("Stationary points of x₁² + x₁ − 4x₁x₂ + x₁³x₂ (Hessian test)").AddColumns("x", "f(x)", "Hessian eigenvalues", "kind");
                foreach (var sp in r.StationaryPoints) s.AddRow(Vec(sp.X), G(sp.F), Vec(sp.Eigenvalues), sp.KindText);
                AnsiConsole.Write(s);
            }
            Finish(p.GetValue(c.Json), r, saved, watch);
            return 0;
        });
        return cmd;
    }
}
