using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Descent.Cli.Rendering;
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
            // The last epoch's headline metrics; every column that does not fit the width is named under the table.
            var keys = MetricOrder(runs.Where(r => r.LastMetrics is not null).SelectMany(r => r.LastMetrics!.Keys).Distinct().Where(k => k != "epoch"))
                .Where(k => runs.Any(r => r.LastMetrics is not null && r.LastMetrics.TryGetValue(k, out double v) && !double.IsNaN(v))).ToList();
            var table = new FittedTable().Add("id", numeric: true).Add("status").Add("created (UTC)", priority: 40).Add("epochs", numeric: true);
            for (int i = 0; i < keys.Count; i++) table.Add(Short(keys[i]), numeric: true, priority: 1 + i);
            table.Add("name", priority: 50).Add("checkpoint", priority: 60);
            foreach (var r in runs)
            {
                var cells = new List<string> { r.Id.ToString(CultureInfo.InvariantCulture), StatusMarkup(r.Status),
                    r.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), r.Epochs.ToString(CultureInfo.InvariantCulture) };
                cells.AddRange(keys.Select(k => r.LastMetrics is not null && r.LastMetrics.TryGetValue(k, out double v) ? Metric(k, v) : ""));
                cells.Add(Markup.Escape(r.Name ?? ""));
                cells.Add(Markup.Escape(r.CheckpointPath ?? ""));
                table.AddRow(cells.ToArray());
            }
            table.Write(Out());
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
                    config = Json(run.ConfigJson),
                    results = run.ResultsJson is null ? null : Json(run.ResultsJson),
                    epochs = run.Epochs.Select(e => new { epoch = e.Epoch, recorded_at = e.RecordedAt, metrics = e.Metrics }),
                });
                return 0;
            }
            var con = Out();
            var head = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            head.AddRow("run", run.Id.ToString(CultureInfo.InvariantCulture) + (run.Name is null ? "" : $" ({Markup.Escape(run.Name)})"));
            head.AddRow("status", StatusMarkup(run.Status) + (run.Message is null ? "" : " — " + Markup.Escape(run.Message)));
            head.AddRow("created", run.CreatedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
            if (run.FinishedAt is { } f) head.AddRow("finished", f.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
            if (run.CheckpointPath is not null) head.AddRow("checkpoint", Markup.Escape(run.CheckpointPath));
            con.Write(head);
            con.Write(new Rule("config") { Justification = Justify.Left });
            con.Write(new Columns(Settings(run.ConfigJson, metrics: false).Select(t => new Text(t))) { Expand = false });
            if (run.ResultsJson is not null)
            {
                con.Write(new Rule("results") { Justification = Justify.Left });
                con.Write(new Columns(Settings(run.ResultsJson, metrics: true).Select(t => new Text(t))) { Expand = false });
            }
            if (run.Epochs.Count > 0)
            {
                // The record's own "epoch" metric is the table's first column, not a second one.
                var keys = MetricOrder(run.Epochs.SelectMany(e => e.Metrics.Keys).Distinct().Where(k => k != "epoch"))
                    .Where(k => run.Epochs.Any(e => e.Metrics.TryGetValue(k, out double v) && !double.IsNaN(v))).ToList();
                var table = new FittedTable().Add("epoch", numeric: true);
                for (int i = 0; i < keys.Count; i++) table.Add(Short(keys[i]), numeric: true, priority: 1 + i);
                foreach (var e in run.Epochs)
                    table.AddRow([(e.Metrics.TryGetValue("epoch", out double n) ? n : e.Epoch + 1).ToString(CultureInfo.InvariantCulture), .. keys.Select(k => e.Metrics.TryGetValue(k, out double v) ? Metric(k, v) : "")]);
                table.Write(con);
            }
            return 0;
        });
        return cmd;
    }

    private static IAnsiConsole Out() => CliApp.Console();

    private static T WithStore<T>(string path, Func<RunStore, T> read)
    {
        using var store = RunStore.Open(path);
        try { return read(store); }
        catch (JsonException e)
        {
            throw new UserException($"the run database '{path}' holds a damaged record ({e.Message.Split('.')[0]}); restore it from a copy or pass --db with a new file name.");
        }
    }

    private static string StatusMarkup(RunStatus s) => s switch
    {
        RunStatus.Finished => "[green]finished[/]",
        RunStatus.Running => "[yellow]running[/]",
        RunStatus.Diverged => "[red]diverged[/]",
        RunStatus.Interrupted => "[red]interrupted[/]",
        _ => "[red]failed[/]",
    };

    /// <summary>
    /// A JSON object as "key value" items, for reading rather than parsing: settings as they were given,
    /// results (<paramref name="metrics"/>) in the CLI's number formats.
    /// </summary>
    private static IEnumerable<string> Settings(string json, bool metrics)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException) { return [json]; }
        if (node is not JsonObject obj) return [json];
        return obj.Select(kv => $"{kv.Key} {Value(kv.Key, kv.Value, metrics)}").ToList();
    }

    private static string Value(string key, JsonNode? v, bool metrics) => v switch
    {
        null => "none",
        JsonArray a => string.Join(",", a.Select(x => Value(key, x, metrics))),
        JsonValue n when metrics && n.GetValueKind() == JsonValueKind.Number && n.TryGetValue<double>(out double d) => Metric(key, d),
        JsonValue n when n.GetValueKind() == JsonValueKind.String => n.GetValue<string>(),
        _ => v.ToJsonString(),
    };

    /// <summary>Stored JSON as a node; text that is not JSON (a damaged record) as the string it is, rather than a crash.</summary>
    private static JsonNode? Json(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return JsonValue.Create(text); }
    }

    /// <summary>Metrics in a fixed, readable order: losses and accuracies first, bookkeeping last.</summary>
    private static IEnumerable<string> MetricOrder(IEnumerable<string> keys)
    {
        string[] first = ["train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy", "learning_rate"];
        return keys.OrderBy(k => Array.IndexOf(first, k) is var i && i >= 0 ? i : first.Length).ThenBy(k => k, StringComparer.Ordinal);
    }

    /// <summary>Column headers short enough for 80 columns.</summary>
    private static string Short(string key) => key switch
    {
        "train_accuracy" => "train_acc",
        "val_accuracy" => "val_acc",
        "test_accuracy" => "test_acc",
        "learning_rate" => "lr",
        "samples_per_second" => "samples/s",
        "gradient_norm" => "grad_norm",
        _ => key,
    };

    /// <summary>A metric in the CLI's one format for its kind.</summary>
    private static string Metric(string key, double v) => key switch
    {
        "learning_rate" or "lr" or "weight_decay" or "l1" or "l2" => Numbers.Rate(v),
        "samples_per_second" => Numbers.Count(v),
        "epoch" or "epochs" or "seed" or "batch_size" or "threads" => Math.Round(v) == v ? v.ToString("0", CultureInfo.InvariantCulture) : Numbers.Format(v),
        _ => Numbers.Format(v),
    };
}
