using System.CommandLine;
using System.Globalization;
using Descent.Plotting;
using Descent.Storage;
using Descent.Tuning;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class TuneCommand
{
    /// <summary><c>descent tune show NAME</c>: the best trial, the top trials as a table (or <c>--json</c>), and the SVG figures.</summary>
    private static Command ShowCommand()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var name = new Argument<string>("name") { Description = "The study." };
        var top = new Option<int>("--top") { Description = "How many of the best trials to list.", DefaultValueFactory = _ => 10 };
        var figures = new Option<string>("--out") { Description = "Report folder: the SVG figures are added to its page index.html (the lab's report).", DefaultValueFactory = _ => "out/lab" };
        var noFigures = new Option<bool>("--no-figures") { Description = "Don't write the figures." };
        var db = DbOption();
        var storage = StorageOption();
        var cmd = new Command("show", "Show a study: best trial, top trials, and SVG figures (each parameter vs the metric, best so far vs trial).")
        {
            name, json, seed, top, figures, noFigures, db, storage,
        };
        CliApp.SetAction(cmd, p =>
        {
            BindConsole();
            string n = p.GetValue(name)!;
            string path = p.GetValue(storage) ?? p.GetValue(db)!;
            if (!PostgresUrl.IsPostgres(path) && !File.Exists(path)) throw new UserException($"No run database at '{path}' (run descent tune first, or pass --db).");
            using var store = OpenStorage(p, storage, db);
            var info = store.FindStudy(n) ?? throw new UserException(
                $"No study '{n}' in {store.Location} (studies: {string.Join(", ", store.Studies().Select(s => s.Name).DefaultIfEmpty("none"))}).");
            var trials = store.Trials(info.Id);
            IReadOnlyList<string> files = [];
            if (!p.GetValue(noFigures)) files = TuningFigures.AddToReport(p.GetValue(figures)!, info, trials);
            int k = Math.Max(1, p.GetValue(top));
            if (p.GetValue(json))
            {
                var summary = Summary(info, trials, k);
                CliApp.WriteJson(new { summary, space = info.Space.ToJson() is var space ? System.Text.Json.JsonDocument.Parse(space).RootElement : default, figures = files });
            }
            else
            {
                PrintSummary(info, trials, k);
                foreach (var f in files) Con.MarkupLine($"wrote [blue]{Markup.Escape(f)}[/]");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// <c>descent tune panda</c>: babysit one model — every epoch shown as it comes, Ctrl+C stops it (its checkpoint
    /// stays), and <c>--resume N --set lr=…</c> continues trial N from its checkpoint with changed hyperparameters.
    /// </summary>
    private static Command PandaCommand()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var study = new Option<string>("--study") { Description = "The study the trial belongs to.", DefaultValueFactory = _ => "panda" };
        var set = new Option<string[]>("--set") { Description = "A hyperparameter, NAME=VALUE (repeatable), e.g. --set lr=0.003.", AllowMultipleArgumentsPerToken = true };
        var resume = new Option<int?>("--resume") { Description = "Continue trial N from its checkpoint (its parameters, overridden by --set)." };
        var objective = ObjectiveOption();
        var model = ModelOption();
        var (epochs, delay, db, storage) = (EpochsOption(), DelayOption(), DbOption(), StorageOption());
        var cmd = new Command("panda", "Babysit one model: live per-epoch view, stoppable with Ctrl+C, resumable with a changed learning rate.")
        {
            json, seed, study, set, resume, objective, model, epochs, delay, db, storage,
        };
        CliApp.SetAction(cmd, p =>
        {
            BindConsole();
            var runner = Objective(p.GetValue(objective), p.GetValue(epochs), p.GetValue(delay), p.GetValue(model));
            string name = p.GetValue(study)!;
            using var store = OpenStorage(p, storage, db);
            var options = new StudyOptions { Seed = p.GetValue(seed), CheckpointDirectory = Path.Combine(StudyDirectory(p.GetValue(db)!, name), "checkpoints") };
            var space = runner is SyntheticObjective so ? so.DefaultSpace : runner is TrainTrialRunner ? TrainTrialRunner.DefaultSpace : new SearchSpace();
            var s = Study.Open(store, name, space, runner, options);
            var parameters = new Dictionary<string, object>();
            int? from = p.GetValue(resume);
            if (from is { } f)
            {
                var prev = s.Trials().FirstOrDefault(t => t.Number == f) ?? throw new UserException($"--resume {f}: study '{name}' has no trial {f}.");
                foreach (var (k, v) in prev.Params) parameters[k] = v;
            }
            foreach (var kv in p.GetValue(set) ?? [])
            {
                int eq = kv.IndexOf('=');
                if (eq <= 0) throw new UserException($"--set expects NAME=VALUE, got '{kv}'.");
                string key = kv[..eq], text = kv[(eq + 1)..];
                parameters[key] = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : text;
            }
            foreach (var (k, d) in s.Space.Parameters)
                if (!parameters.ContainsKey(k)) parameters[k] = d.FromUnit(0.5); // an unset parameter sits mid-range on its own scale
            bool asJson = p.GetValue(json);
            using var cancel = CtrlC();
            if (!asJson) Con.MarkupLine("[grey]Ctrl+C stops the model; its checkpoint stays for --resume.[/]");
            var done = s.Babysit(runner, parameters, from, asJson ? null : new LiveView(verbose: true), cancel.Token);
            if (asJson)
                CliApp.WriteJson(new { study = name, trial = TrialJson(done), curve = done.Epochs.Select(e => new { epoch = e.Epoch, value = e.Value }) });
            else if (done.State != TrialState.Complete)
                Con.MarkupLine($"Resume with: descent tune panda --study {Markup.Escape(name)} --resume {done.Number} --set lr=…");
            return 0;
        });
        return cmd;
    }
}
