using System.CommandLine;
using System.Globalization;
using Descent.Cli.Rendering;
using Descent.Nn;
using Descent.Storage;
using Descent.Tuning;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent tune</c>: hyperparameter search (random, grid or TPE; coarse to fine; median or ASHA pruning), stored
/// as a study in the run database so several processes can work on one study. Caviar: <c>--parallel K</c> trials at
/// once; Panda: <c>descent tune panda</c> babysits one model live, stoppable (Ctrl+C) and resumable with a changed
/// learning rate. <c>descent tune show NAME</c>: best trial, top trials, SVG figures.
/// </summary>
internal static partial class TuneCommand
{
    public static Command Create()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var study = new Option<string?>("--study") { Description = "Name of the study (created if new; resumed if it exists)." };
        var space = new Option<string?>("--space") { Description = "Search space JSON file (default: the objective's own space)." };
        var objective = ObjectiveOption();
        var model = ModelOption();
        var trials = new Option<int>("--trials") { Description = "Trials the study should end with (complete or pruned).", DefaultValueFactory = _ => 20 };
        var parallel = new Option<int>("--parallel") { Description = "Caviar: trials at once in this process, sharing the cores.", DefaultValueFactory = _ => 1 };
        var sampler = new Option<string>("--sampler") { Description = "random | grid | tpe.", DefaultValueFactory = _ => "random" };
        var gridPoints = new Option<int>("--grid-points") { Description = "Grid sampler: points per numeric parameter.", DefaultValueFactory = _ => 3 };
        var pruner = new Option<string>("--pruner") { Description = "none | median | asha.", DefaultValueFactory = _ => "none" };
        var warmup = new Option<int>("--warmup") { Description = "Median pruner: epochs every trial runs before it can be pruned.", DefaultValueFactory = _ => 1 };
        var eta = new Option<int>("--reduction-factor") { Description = "ASHA: η; rungs at epochs r·ηᵏ, the best 1/η of a rung goes on.", DefaultValueFactory = _ => 3 };
        var minEpochs = new Option<int>("--min-epochs") { Description = "ASHA: r, the epoch of the first rung.", DefaultValueFactory = _ => 1 };
        var retries = new Option<int>("--retries") { Description = "How often a failed trial's parameters are tried again.", DefaultValueFactory = _ => 1 };
        var rounds = new Option<int>("--rounds") { Description = "Coarse to fine: rounds; each narrows every range around the best trials so far.", DefaultValueFactory = _ => 1 };
        var storage = StorageOption();
        var (epochs, delay, db, lease) = (EpochsOption(), DelayOption(), DbOption(), new Option<double>("--lease") { Description = "Seconds a silent worker keeps its trial before it is declared lost and retried.", DefaultValueFactory = _ => 60 });
        var cmd = new Command("tune", "Hyperparameter search: random/grid/TPE sampling on the right scale, coarse to fine, pruning, studies in SQLite or PostgreSQL.")
        {
            json, seed, study, space, objective, model, trials, parallel, sampler, gridPoints, pruner, warmup, eta, minEpochs, rounds, epochs, delay, db, storage, lease, retries,
        };
        cmd.Subcommands.Add(ShowCommand());
        cmd.Subcommands.Add(PandaCommand());
        CliApp.SetAction(cmd, p =>
        {
            BindConsole();
            string name = p.GetValue(study) ?? throw new UserException("descent tune needs --study NAME (or: descent tune show NAME).");
            var runner = Objective(p.GetValue(objective), p.GetValue(epochs), p.GetValue(delay), p.GetValue(model));
            var options = new StudyOptions
            {
                Trials = p.GetValue(trials), Parallel = p.GetValue(parallel), Rounds = p.GetValue(rounds), Seed = p.GetValue(seed),
                Sampler = Sampler(p.GetValue(sampler)!, p.GetValue(gridPoints)), Pruner = Pruner(p.GetValue(pruner)!, p.GetValue(warmup), p.GetValue(minEpochs), p.GetValue(eta)), MaxRetries = Math.Max(0, p.GetValue(retries)),
                Lease = Seconds(p.GetValue(lease), "--lease"), CheckpointDirectory = Path.Combine(StudyDirectory(p.GetValue(db)!, name), "checkpoints"),
            };
            var requested = SpaceFor(p.GetValue(space), runner);
            runner.CheckSpace(requested);   // before anything is stored or run
            using var store = OpenStorage(p, storage, db);
            var s = Study.Open(store, name, requested, runner, options);
            if (s.Info.SpaceJson != requested.ToJson())
            {
                runner.CheckSpace(s.Space);
                if (p.GetValue(space) != null)
                    Console.Error.WriteLine($"descent: study '{name}' exists with another search space; its stored space is used (see descent tune show {name} --json).");
            }
            bool asJson = p.GetValue(json);
            using var cancel = CtrlC();
            s.Optimize(runner, asJson ? null : new LiveView(verbose: false), cancel.Token);
            var all = s.Trials();
            if (asJson) CliApp.WriteJson(Summary(s.Info, all, 5));
            else PrintSummary(s.Info, all, 5);
            return 0;
        });
        return cmd;
    }

    /// <summary>The console of the running command, bound to the current <see cref="Console.Out"/> (so output can be captured).</summary>
    private static IAnsiConsole Con { get; set; } = AnsiConsole.Console;

    private static void BindConsole() => Con = CliApp.Console();

    // The objective of `descent tune`: the trainer (`train` = Fashion-MNIST, `train:DATA` = any data set of `descent train`),
    // or a built-in synthetic objective (quadratic, branin) for quick checks.
    internal static ITrialRunner Objective(string? name, int epochs, int delayMs, string? model = null) => name switch
    {
        null or "train" => new TrainTrialRunner("fashion-mnist", Positive(epochs, "--epochs"), model: Model(model)),
        _ when name.StartsWith("train:", StringComparison.Ordinal) => new TrainTrialRunner(name["train:".Length..], Positive(epochs, "--epochs"), model: Model(model)),
        _ when model is not null => throw new UserException($"--model {model} is for the train objective; '{name}' is a synthetic function with no model."),
        _ when SyntheticObjective.Names.Contains(name) => SyntheticObjective.Create(name, Positive(epochs, "--epochs"), TimeSpan.FromMilliseconds(Math.Max(0, delayMs))),
        _ => throw new UserException($"Unknown --objective '{name}' (expected train, train:DATA, {string.Join(", ", SyntheticObjective.Names)})."),
    };

    private static ModelSpec? Model(string? text)
    {
        if (text is null) return null;
        try { return ModelSpec.Parse(text); }
        catch (ArgumentException e) { throw new UserException("--model: " + e.Message); }
    }

    private static Option<string?> ModelOption() => new("--model") { Description = "The model every trial starts from, as text (default: descent train's MLP), e.g. cnn; its parameters (channels, fc, …) can then be searched." };
    private static Option<string?> ObjectiveOption() => new("--objective") { Description = $"What to optimize: train (descent train on Fashion-MNIST, the default), train:DATA (e.g. train:moons), or a synthetic objective: {string.Join(", ", SyntheticObjective.Names)}." };
    private static Option<int> EpochsOption() => new("--epochs") { Description = "Epochs per trial.", DefaultValueFactory = _ => 9 };
    private static Option<int> DelayOption() => new("--epoch-delay-ms") { Description = "Synthetic objectives: wall time per simulated epoch.", DefaultValueFactory = _ => 0 };
    private static Option<string> DbOption() => new("--db") { Description = "The run database (SQLite).", DefaultValueFactory = _ => Sqlite.DefaultPath };
    private static Option<string?> StorageOption() => new("--storage") { Description = "Where the study lives: postgresql://user@host/db?… (shared by workers on many hosts) or a SQLite file (default: the --db file)." };

    /// <summary>The study storage: <c>--storage</c> (a PostgreSQL URL or a SQLite file) if given, else the SQLite <c>--db</c>.</summary>
    internal static SqlStudyStorage OpenStorage(ParseResult p, Option<string?> storage, Option<string> db)
    {
        if (p.GetValue(storage) is not { } location) return new StudyStore(p.GetValue(db)!);
        if (p.GetResult(db) is { Implicit: false })
            throw new UserException("give --storage or --db, not both (--db names a SQLite file; --storage a PostgreSQL URL or a SQLite file).");
        return SqlStudyStorage.Open(location, line => Console.Error.WriteLine($"descent: {line}"));
    }

    /// <summary>Where a study's figures and checkpoints go: <c>studies/NAME</c> beside the run database.</summary>
    internal static string StudyDirectory(string db, string name) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(db))!, "studies", string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')));

    private static SearchSpace SpaceFor(string? path, ITrialRunner runner) =>
        path != null ? SearchSpace.Load(path)
        : runner is SyntheticObjective s ? s.DefaultSpace
        : runner is TrainTrialRunner ? TrainTrialRunner.DefaultSpace
        : throw new UserException("descent tune needs --space space.json for this objective.");

    internal static ISampler Sampler(string name, int gridPoints) => name switch
    {
        "random" => new RandomSampler(),
        "grid" => new GridSampler(Positive(gridPoints, "--grid-points")),
        "tpe" => new TpeSampler(),
        _ => throw new UserException($"Unknown --sampler '{name}' (expected random, grid or tpe)."),
    };

    internal static IPruner Pruner(string name, int warmup = 1, int minEpochs = 1, int reductionFactor = 3) => name switch
    {
        "none" => new NoPruner(),
        "median" => new MedianPruner(Math.Max(0, warmup)),
        "asha" => reductionFactor >= 2 ? new AshaPruner(Positive(minEpochs, "--min-epochs"), reductionFactor)
            : throw new UserException($"--reduction-factor must be ≥ 2, got {reductionFactor}."),
        _ => throw new UserException($"Unknown --pruner '{name}' (expected none, median or asha)."),
    };

    private static int Positive(int v, string option) => v >= 1 ? v : throw new UserException($"{option} must be ≥ 1, got {v}.");

    private static TimeSpan Seconds(double s, string option) => s > 0 && double.IsFinite(s) ? TimeSpan.FromSeconds(s) : throw new UserException($"{option} must be > 0 seconds, got {s}.");

    /// <summary>Ctrl+C cancels the running trials (they end pruned, "stopped by the user") instead of killing the process.</summary>
    internal static CancelScope CtrlC() => new();

    internal sealed class CancelScope : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly ConsoleCancelEventHandler _handler;
        public CancelScope()
        {
            _handler = (_, e) => { e.Cancel = true; _cts.Cancel(); };
            Console.CancelKeyPress += _handler;
        }
        public CancellationToken Token => _cts.Token;
        public void Dispose() { Console.CancelKeyPress -= _handler; _cts.Dispose(); }
    }

    /// <summary>Writes trial events as they come (synchronously, so lines never interleave).</summary>
    internal sealed class LiveView(bool verbose) : IProgress<TrialEvent>
    {
        private readonly object _lock = new();
        public void Report(TrialEvent e)
        {
            lock (_lock)
            {
                var t = e.Trial;
                switch (e.Kind)
                {
                    case TrialEventKind.Started when verbose:
                        Con.MarkupLine($"trial {t.Number} started: {Markup.Escape(t.Parameters.ToString())}");
                        break;
                    case TrialEventKind.Epoch when verbose:
                        Con.MarkupLine($"  trial {t.Number}  epoch {e.Metric!.Value.Epoch,3}  {Numbers.Format(e.Metric.Value.Value)}");
                        break;
                    case TrialEventKind.Finished:
                        string colour = t.State switch { TrialState.Complete => "green", TrialState.Pruned => "yellow", _ => "red" };
                        Con.MarkupLine($"trial {t.Number,4} [{colour}]{t.State.ToString().ToLowerInvariant(),-8}[/] {V(t.Value),12} after {Numbers.Plural(t.Epochs.Count, "epoch")}  {Markup.Escape(t.Parameters.ToString())}" +
                            (t.Note != null ? $"  [grey]({Markup.Escape(t.Note)})[/]" : ""));
                        break;
                }
            }
        }
    }

    internal static string V(double? v) => v is { } d ? Numbers.Format(d) : "—";

    internal static object Summary(StudyInfo info, IReadOnlyList<TrialRecord> trials, int top)
    {
        var ranked = SamplingContext.Rank(trials, info.Direction);
        return new
        {
            study = info.Name,
            metric = info.Metric,
            direction = info.Direction.ToString().ToLowerInvariant(),
            trials = trials.Count,
            complete = trials.Count(t => t.State == TrialState.Complete),
            pruned = trials.Count(t => t.State == TrialState.Pruned),
            failed = trials.Count(t => t.State == TrialState.Failed),
            running = trials.Count(t => t.State == TrialState.Running),
            best = ranked.Count == 0 ? null : TrialJson(ranked[0]),
            top = ranked.Take(top).Select(TrialJson).ToList(),
        };
    }

    internal static object TrialJson(TrialRecord t) => new
    {
        number = t.Number,
        state = t.State.ToString().ToLowerInvariant(),
        value = t.Value,
        round = t.Round,
        epochs = t.Epochs.Count,
        retry_of = t.RetryOf,
        resumed_from = t.ResumedFrom,
        @params = t.Params,
    };

    internal static void PrintSummary(StudyInfo info, IReadOnlyList<TrialRecord> trials, int top)
    {
        var ranked = SamplingContext.Rank(trials, info.Direction);
        Con.MarkupLine($"Study [bold]{Markup.Escape(info.Name)}[/]: {trials.Count} trials — {trials.Count(t => t.State == TrialState.Complete)} complete, " +
            $"{trials.Count(t => t.State == TrialState.Pruned)} pruned, {trials.Count(t => t.State == TrialState.Failed)} failed, {trials.Count(t => t.State == TrialState.Running)} running.");
        if (ranked.Count == 0) { Con.MarkupLine("No complete trial yet."); return; }
        var best = ranked[0];
        Con.MarkupLine($"Best: trial {best.Number}, {Markup.Escape(info.Metric)} = [green]{V(best.Value)}[/]  {Markup.Escape(best.Parameters.ToString())}");
        var names = info.Space.Names.ToList();
        var table = new FittedTable().Add("#", numeric: true).Add("trial", numeric: true).Add("state").Add(info.Metric, numeric: true)
            .Add("epochs", numeric: true, priority: 20).Add("round", numeric: true, priority: 30);
        for (int i = 0; i < names.Count; i++) table.Add(names[i], priority: 1 + i);
        int rank = 1;
        foreach (var t in ranked.Take(top))
            table.AddRow([(rank++).ToString(CultureInfo.InvariantCulture), t.Number.ToString(CultureInfo.InvariantCulture), t.State.ToString().ToLowerInvariant(), V(t.Value),
                t.Epochs.Count.ToString(CultureInfo.InvariantCulture), t.Round.ToString(CultureInfo.InvariantCulture),
                .. names.Select(n => t.Params.TryGetValue(n, out var v) ? Markup.Escape(SearchSpace.FormatValue(v)) : "")]);
        table.Write(Con);
    }
}
