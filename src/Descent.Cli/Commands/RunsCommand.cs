using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Descent.Storage;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent runs list</c> and <c>descent runs show ID</c>: the run records in the SQLite database
/// (<c>--db</c>, default <c>./runs/descent.db</c>), as a table or one JSON document (<c>--json</c>).
/// Reading never creates a database: with none, <c>list</c> shows no runs and <c>show</c> is a user error.
/// </summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var cmd = new Command("runs", "List and show recorded training runs.");
        cmd.Subcommands.Add(List());
        cmd.Subcommands.Add(Show());
        return cmd;
    }

    private static Option<string> DbOption() => new("--db") { Description = "The run database (SQLite).", DefaultValueFactory = _ => Sqlite.DefaultPath };

    private static Command List()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var db = DbOption();
        var limit = new Option<int>("--limit") { Description = "Show at most this many runs (newest first).", DefaultValueFactory = _ => 50 };
        var cmd = new Command("list", "List runs, newest first.") { json, seed, db, limit };
        CliApp.SetAction(cmd, p =>
        {
            int n = p.GetValue(limit);
            if (n < 1) throw new UserException($"--limit must be ≥ 1, got {n}.");
            string path = p.GetValue(db)!;
            var runs = File.Exists(path) ? WithStore(path, s => s.ListRuns(n)) : [];
            if (p.GetValue(json))
            {
                CliApp.WriteJson(new
                {
                    database = path,
                    runs = runs.Select(r => new
                    {
                        id = r.Id,
                        name = r.Name,
                        status = RunStore.StatusName(r.Status),
                        created_at = r.CreatedAt,
                        finished_at = r.FinishedAt,
                        epochs = r.Epochs,
                        checkpoint = r.CheckpointPath,
                        last_metrics = r.LastMetrics,
                    }),
                });
                return 0;
            }
            if (runs.Count == 0)
            {
                Out().MarkupLine($"No runs in [bold]{Markup.Escape(path)}[/].");
                return 0;
            }
            var keys = runs.Where(r => r.LastMetrics is not null).SelectMany(r => r.LastMetrics!.Keys).Distinct().Take(4).ToList();
            var table = new Table().AddColumns("id", "name", "status", "created (UTC)", "epochs");
            foreach (var k in keys) table.AddColumn(Markup.Escape(k));
            table.AddColumn("checkpoint");
            foreach (var r in runs)
            {
                var cells = new List<string> { r.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Name ?? ""), StatusMarkup(r.Status),
                    r.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), r.Epochs.ToString(CultureInfo.InvariantCulture) };
                cells.AddRange(keys.Select(k => r.LastMetrics is not null && r.LastMetrics.TryGetValue(k, out double v) ? F(v) : ""));
                cells.Add(Markup.Escape(r.CheckpointPath ?? ""));
                table.AddRow(cells.ToArray());
            }
            Out().Write(table);
            return 0;
        });
        return cmd;
    }

    private static Command Show()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var db = DbOption();
        var id = new Argument<long>("id") { Description = "The run's id (see `descent runs list`)." };
        var cmd = new Command("show", "Show one run: configuration, per-epoch metrics, results.") { id, json, seed, db };
        CliApp.SetAction(cmd, p =>
        {
            string path = p.GetValue(db)!;
            long runId = p.GetValue(id);
            if (!File.Exists(path)) throw new UserException($"No run database at '{path}' (give one with --db).");
            var run = WithStore(path, s => s.GetRun(runId)) ?? throw new UserException($"There is no run {runId} in '{path}'.");
            if (p.GetValue(json))
            {
                CliApp.WriteJson(new
                {
                    id = run.Id,
                    name = run.Name,
                    status = RunStore.StatusName(run.Status),
                    created_at = run.CreatedAt,
                    updated_at = run.UpdatedAt,
                    finished_at = run.FinishedAt,
                    checkpoint = run.CheckpointPath,
                    message = run.Message,
                    config = JsonNode.Parse(run.ConfigJson),
                    results = run.ResultsJson is null ? null : JsonNode.Parse(run.ResultsJson),
                    epochs = run.Epochs.Select(e => new { epoch = e.Epoch, recorded_at = e.RecordedAt, metrics = e.Metrics }),
                });
                return 0;
            }
            var head = new Grid().AddColumn().AddColumn();
            head.AddRow("run", run.Id.ToString(CultureInfo.InvariantCulture) + (run.Name is null ? "" : $" ({Markup.Escape(run.Name)})"));
            head.AddRow("status", StatusMarkup(run.Status) + (run.Message is null ? "" : " — " + Markup.Escape(run.Message)));
            head.AddRow("created", run.CreatedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
            if (run.FinishedAt is { } f) head.AddRow("finished", f.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
            if (run.CheckpointPath is not null) head.AddRow("checkpoint", Markup.Escape(run.CheckpointPath));
            head.AddRow("config", Markup.Escape(Compact(run.ConfigJson)));
            if (run.ResultsJson is not null) head.AddRow("results", Markup.Escape(Compact(run.ResultsJson)));
            Out().Write(head);
            if (run.Epochs.Count > 0)
            {
                var keys = run.Epochs.SelectMany(e => e.Metrics.Keys).Distinct().ToList();
                var table = new Table().AddColumn("epoch");
                foreach (var k in keys) table.AddColumn(Markup.Escape(k));
                foreach (var e in run.Epochs)
                    table.AddRow([e.Epoch.ToString(CultureInfo.InvariantCulture), .. keys.Select(k => e.Metrics.TryGetValue(k, out double v) ? F(v) : "")]);
                Out().Write(table);
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>A console on the current <see cref="Console.Out"/> (so in-process callers can capture it).</summary>
    private static IAnsiConsole Out() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Out),
        Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
    });

    private static T WithStore<T>(string path, Func<RunStore, T> read)
    {
        using var store = RunStore.Open(path);
        return read(store);
    }

    private static string StatusMarkup(RunStatus s) => s switch
    {
        RunStatus.Finished => "[green]finished[/]",
        RunStatus.Running => "[yellow]running[/]",
        RunStatus.Diverged => "[red]diverged[/]",
        RunStatus.Interrupted => "[red]interrupted[/]",
        _ => "[red]failed[/]",
    };

    private static string Compact(string json) => JsonSerializer.Serialize(JsonNode.Parse(json));

    private static string F(double v) => double.IsFinite(v) ? v.ToString("G5", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
}
