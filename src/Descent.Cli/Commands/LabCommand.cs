using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Plotting;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent lab &lt;experiment&gt;</c>: the notes' experiments, one file each (<c>LabCommand.Descend.cs</c>, …). Each
/// prints a table that ends with the lesson in one line (or, with <c>--json</c>, one JSON document with the numbers),
/// writes its SVG figures into <c>--out</c> (default <c>out/lab</c>) and writes its own section of the report page
/// <c>index.html</c> there: formula, lesson, figures, the table and the command. The experiments live in
/// <c>Descent.Lab</c>; these files only parse and print.
/// </summary>
internal static partial class LabCommand
{
    public static Command Create()
    {
        var cmd = new Command("lab", "The notes' experiments: tables, SVG figures and an HTML report page (see `descent lab <experiment> --help`).");
        foreach (var sub in new[] { Descend(), Optimizers(), Schedules(), LrRange(), Vanishing(), Init(), InitTrain(), BatchNorm(), Regularization(), GradCheckLab(), Filters() })
            cmd.Subcommands.Add(sub);
        return cmd;
    }

    /// <summary>Chapters of the notes, in the report's order.</summary>
    private static class Chapter
    {
        public const string GradientDescent = "1 Gradient descent";
        public const string Optimizers = "2 Optimizers";
        public const string Decay = "3 Learning-rate decay";
        public const string Vanishing = "4 Vanishing and exploding gradients";
        public const string Initialization = "5 Weight initialization";
        public const string BatchNorm = "6 Batch normalization";
        public const string Regularization = "7 Regularization";
        public const string Checking = "8 Gradient checking";
        public const string Vision = "9 Convolutional networks";
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

    /// <summary>What one run tells the report: its section key and chapter, heading, formula and lesson.</summary>
    private sealed record Words(string Id, string Chapter, string Title, string Formula, string Lesson)
    {
        /// <summary>A chapter's words as the library states them (shared with <c>descent serve</c>'s lab).</summary>
        public static Words Of(Lab.Lesson l) => new(l.Id, l.Chapter, l.Title, l.Formula, l.Text);
    }

    /// <summary>
    /// Prints the tables and the lesson line (or the JSON document), writes the figures and the run's section of the
    /// report page, and returns the exit code.
    /// </summary>
    private static int Publish(ParseResult p, Common c, Stopwatch watch, object result, IReadOnlyList<Figure> figures, Words words,
        IReadOnlyList<IRenderable> tables, string verdict)
    {
        string outDir = p.GetValue(c.Out)!;
        if (string.IsNullOrWhiteSpace(outDir)) throw new UserException("--out must name a folder, got an empty value.");
        // Names never break mid-word at 80 columns or when piped: the first column (the row's name) does not wrap.
        foreach (var table in tables.OfType<Table>()) if (table.Columns.Count > 0) table.Columns[0].NoWrap = true;
        string text = string.Join("\n", tables.Select(Plain)) + "Lesson: " + verdict + "\n";
        var page = ReportPage.Open(outDir);
        var files = page.WriteSection(new ReportSection(words.Id, words.Chapter, words.Title, words.Formula, words.Lesson, CommandLine(p), text), figures);
        page.Save();
        if (p.GetValue(c.Json))
        {
            CliApp.WriteJson(new { result, lesson = verdict, figures = files, report = page.PagePath, seconds = Math.Round(watch.Elapsed.TotalSeconds, 3) });
            return 0;
        }
        foreach (var t in tables) AnsiConsole.Write(t);
        AnsiConsole.Write(new Markup($"[bold]Lesson:[/] {Markup.Escape(verdict)}\n"));
        AnsiConsole.MarkupLine($"[grey]{files.Count} figures in {Markup.Escape(Path.GetDirectoryName(page.PagePath) ?? ".")}; report: {Markup.Escape(page.PagePath)} ({watch.Elapsed.TotalSeconds:0.0} s)[/]");
        return 0;
    }

    /// <summary>The command as typed (for "reproduce with").</summary>
    private static string CommandLine(ParseResult p) =>
        "./descent " + string.Join(" ", p.Tokens.Select(t => t.Value.Any(char.IsWhiteSpace) || t.Value.Contains(';') ? $"'{t.Value}'" : t.Value));

    /// <summary>A table as plain text, 100 columns wide, for the report page.</summary>
    private static string Plain(IRenderable table)
    {
        var sw = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(sw), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 100;
        console.Write(table);
        return sw.ToString();
    }

    /// <summary>A file-name and section-key suffix for a run with non-default options ("" for the defaults).</summary>
    private static string Variant(params (string Name, string? Value, string Default)[] options)
    {
        var changed = options.Where(o => o.Value is not null && o.Value != o.Default).Select(o => $"{o.Name}-{o.Value}").ToList();
        return changed.Count == 0 ? "" : "-" + Lab.InitLab.Slug(string.Join("-", changed));
    }

    private static string G(double v) => double.IsFinite(v)
        ? (Math.Abs(v) >= 1e5 || (Math.Abs(v) < 1e-3 && v != 0) ? v.ToString("0.##e+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture))
        : v.ToString(CultureInfo.InvariantCulture);

    private static string Vec(double[] v) => v.Length == 1 ? G(v[0]) : "(" + string.Join(", ", v.Select(G)) + ")";

    private static string P(double v) => double.IsFinite(v) ? v.ToString("0.0%", CultureInfo.InvariantCulture) : "–";

    private static int[] ParseWidths(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0)
                throw new UserException($"{option} expects positive integers separated by commas (e.g. 500,400,300), got '{text}' ('{parts[i]}' is not one).");
        if (widths.Length == 0) throw new UserException($"{option} needs at least one width, got '{text}'.");
        return widths;
    }
}
