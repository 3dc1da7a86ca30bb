using System.CommandLine;
using System.Globalization;
using Descent.Cli.Rendering;
using Descent.Data;
using Descent.Diagnostics;
using Descent.Distributed;
using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Schedules;
using Descent.Serialization;
using Descent.Storage;
using Descent.Training;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent train</c>: trains a model given in text form (<c>--model</c>; default the MLP 784-256-128-10, ReLU, He init,
/// Adam 1e-3, batch 128, 10 epochs on Fashion-MNIST, seed 0) with any loss (<c>--loss</c>; regression from a CSV's
/// <c>--target</c> column or the built-in sine/friedman sets), shows its progress, records the run in SQLite, saves a safetensors checkpoint after
/// every epoch and reports the test accuracy. <c>--resume DIR</c> continues a stopped run to bitwise the same end.
/// </summary>
internal static class TrainCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var d = new TrainConfig();
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var data = new Option<string>("--data") { Description = "Data set: fashion-mnist, mnist:DIR, circles, moons, spirals, blobs, xor, bars (small images for CNNs), sine, friedman (regression), a CSV file (csv:PATH[,label=COL] or PATH.csv).", DefaultValueFactory = _ => d.Data };
        var target = new Option<string?>("--target") { Description = "Regression: the CSV's target column(s), comma-separated (the other columns are the features)." };
        var model = new Option<string?>("--model") { Description = "Model in text form: mlp:256,128[,act=tanh][,bn=true][,dropout=0.2][,residual=true][,init=he] or a layer list 'linear:256 bn relu dropout:0.2 linear' (default mlp:256,128). cnn[:32,64,fc=128,dropout=0.3] trains with its recipe where --optimizer, --loss, --label-smoothing, --schedule, --ema and --epochs are not given: adamw:lr=0.001,weight_decay=0.05 at a constant rate, label smoothing 0.1, the weights' moving average (EMA 0.999), 15 epochs." };
        var loss = new Option<string?>("--loss") { Description = "Loss: cross-entropy[:label_smoothing=0.1], mse, half-sse, bce[:pos_weight=2] (default: cross-entropy for classes, mse for a regression)." };
        var hidden = new Option<string?>("--hidden") { Description = "Shorthand for --model mlp:WIDTHS: hidden layer widths, comma-separated (default 256,128; empty for none)." };
        var activation = new Option<string?>("--activation") { Description = "Shorthand for the mlp's act=: relu, tanh, sigmoid, leaky_relu, elu, gelu, identity." };
        var init = new Option<string?>("--init") { Description = "Shorthand for the mlp's init=: he (default), he-uniform, xavier, xavier-normal, lecun, orthogonal, zeros, normal:STD, uniform:A,B, default." };
        var optimizer = new Option<string>("--optimizer") { Description = "Optimizer: sgd, momentum, adagrad, rmsprop, adam, adamw, with keys, e.g. sgd:lr=0.1,momentum=0.9.", DefaultValueFactory = _ => d.Optimizer.ToString() };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (overrides lr in --optimizer)." };
        var schedule = new Option<string?>("--schedule") { Description = "Learning-rate schedule: cosine (default: anneal to 0 over the run), constant, exponential:base=0.95, inverse-time:decay=1, step:size=3,gamma=0.5, plateau:patience=2, …", DefaultValueFactory = _ => d.Schedule?.ToString() };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size.", DefaultValueFactory = _ => d.BatchSize };
        var epochs = new Option<int>("--epochs") { Description = "Number of epochs.", DefaultValueFactory = _ => d.Epochs };
        var augment = new Option<string>("--augment") { Description = "Random augmentation of training images: flip (horizontal, p=½), shift:N (translate by up to N pixels, zero-filled), both (flip,shift:2) or none.", DefaultValueFactory = _ => "none" };
        var ema = new Option<double?>("--ema") { Description = "Exponential moving average of the weights with this decay, e.g. 0.999 (0: off): ŵ ← d·ŵ + (1−d)·w after every step, with a warm-up min(d, (1+t)/(10+t)); BatchNorm's running statistics are averaged too. Validation, the test accuracy and the checkpoint's model use the averaged weights." };
        var dropLast = new Option<bool>("--drop-last") { Description = "Drop the last incomplete batch of each epoch." };
        var clipNorm = new Option<double?>("--clip-norm") { Description = "Clip the gradients' global L2 norm to this value." };
        var clipValue = new Option<double?>("--clip-value") { Description = "Clip each gradient element to ±value." };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay given to the optimizer (PyTorch semantics)." };
        var l1 = new Option<double>("--l1") { Description = "L1 penalty λ·Σ|w| on the weights, added to the loss." };
        var l2 = new Option<double>("--l2") { Description = "L2 penalty ½λ·Σw² on the weights, added to the loss." };
        var dropout = new Option<double?>("--dropout") { Description = "Shorthand for the mlp's dropout=: dropout probability after each hidden activation." };
        var batchNorm = new Option<bool>("--batchnorm") { Description = "Shorthand for the mlp's bn=true: batch normalization before each hidden activation." };
        var normalize = new Option<string>("--normalize") { Description = "Input normalization fit on the training split: global, per-feature, none.", DefaultValueFactory = _ => d.Normalize };
        var validation = new Option<double>("--validation") { Description = "Fraction of the training set held out for validation." };
        var patience = new Option<int?>("--patience") { Description = "Early stopping: epochs without validation improvement (restores the best weights)." };
        var smoothing = new Option<double?>("--label-smoothing") { Description = "Shorthand for --loss cross-entropy:label_smoothing=EPS." };
        var dtype = new Option<string>("--dtype") { Description = "Element type: float32 or float64.", DefaultValueFactory = _ => d.DType };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0: all cores). Results do not depend on it." };
        var outDir = new Option<string?>("--out") { Description = "Checkpoint folder, Descent's own (default runs/run-ID); a folder holding other files is refused." };
        var force = new Option<bool>("--force") { Description = "Write the checkpoint into an --out folder that holds other files; they are kept (Descent never deletes or overwrites a file it did not write)." };
        var db = new Option<string>("--db") { Description = "Run database (SQLite).", DefaultValueFactory = _ => Sqlite.DefaultPath };
        var diagnose = new Option<bool>("--diagnose") { Description = "Collect per-layer activation, gradient and update statistics while training and print a report with advice." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run checkpointed in this folder (its saved settings are used)." };
        var distributed = new Option<bool>("--distributed") { Description = "Data-parallel training over Open MPI, started by mpirun (e.g. mpirun -np 2 ./descent train --distributed …): each rank trains on its shard of every batch; rank 0 writes the checkpoints and the run record. See docs/distributed.md." };
        var cmd = new Command("train", "Train a model (default: MLP 784-256-128-10 on Fashion-MNIST), record the run and save checkpoints.")
        {
            data, target, model, loss, hidden, activation, init, optimizer, lr, schedule, batch, epochs, augment, ema, dropLast, clipNorm, clipValue, weightDecay, l1, l2,
            dropout, batchNorm, normalize, validation, patience, smoothing, dtype, threads, outDir, force, db, resume, diagnose, distributed, seed, json,
        };
        CliApp.SetAction(cmd, p =>
        {
            bool asJson = p.GetValue(json);
            // Under --distributed, MPI starts first: the rank decides what this process may write (only rank 0 writes).
            var mpi = p.GetValue(distributed) ? DistributedTraining.Init() : null;
            bool worker = mpi is { Rank: > 0 };
            var shard = mpi is null ? (DataShard?)null : new DataShard(mpi.Rank, mpi.Size);
            TrainingJob job;
            string? resumeDir = p.GetValue(resume);
            // The output folder is checked and locked before anything is loaded, trained or recorded.
            if (resumeDir is not null && !Checkpoint.Exists(resumeDir))   // before the folder is claimed (which would create it)
                throw new UserException($"--resume '{resumeDir}': no checkpoint there (expected {Checkpoint.StateFile}, {Checkpoint.ModelFile} and {Checkpoint.OptimizerFile}).");
            string? outPath = p.GetValue(outDir) ?? resumeDir;
            using var folder = outPath is null || worker ? null : ClaimOutput(outPath, p.GetValue(force));
            if (resumeDir is not null)
            {
                job = TrainingJob.Resume(resumeDir, shard: shard);
                JitWarmUp.ReleaseLoadBuffers();
            }
            else
            {
                var modelSpec = ModelFrom(p.GetValue(model), p.GetValue(hidden), p.GetValue(activation), p.GetValue(init), p.GetValue(dropout), p.GetValue(batchNorm));
                // The model's training recipe (the CNN's) fills in what the command line left at its default.
                var recipe = modelSpec.Recipe;
                bool Given(Option o) => p.GetResult(o) is { Implicit: false };
                var opt = recipe is not null && !Given(optimizer) ? recipe.Optimizer : OptimizerSpec.Parse(p.GetValue(optimizer)!);
                if (p.GetValue(lr) is { } rate)
                    opt = rate > 0 && double.IsFinite(rate) ? opt with { Lr = rate } : throw new UserException($"--lr: expected a finite number > 0, got {rate.ToString("R", Inv)}.");
                var lossSpec = p.GetValue(loss) is { } lossText ? LossSpec.Parse(lossText) : null;
                if (p.GetValue(smoothing) is { } eps) lossSpec = (lossSpec ?? LossSpec.CrossEntropy) with { LabelSmoothing = eps };
                if (recipe is not null && !Given(loss) && !Given(smoothing) && p.GetValue(target) is null) lossSpec = recipe.Loss;
                lossSpec?.Validate();
                double emaDecay = p.GetValue(ema) ?? 0;
                if (!(emaDecay >= 0 && emaDecay < 1))
                    throw new UserException($"--ema: expected a decay in [0, 1), e.g. 0.999 (0: off), got {emaDecay.ToString("R", Inv)}.");
                var config = new TrainConfig
                {
                    Data = p.GetValue(data)!,
                    Target = p.GetValue(target),
                    Model = modelSpec,
                    Loss = lossSpec,
                    Optimizer = opt,
                    Schedule = recipe is not null && !Given(schedule) ? recipe.Schedule : p.GetValue(schedule) is { } scheduleText ? ScheduleSpec.Parse(scheduleText) : null,
                    BatchSize = p.GetValue(batch),
                    Epochs = recipe is not null && !Given(epochs) ? recipe.Epochs : p.GetValue(epochs),
                    Augment = Augmentation.Parse(p.GetValue(augment)!),
                    Ema = recipe is not null && !Given(ema) ? recipe.Ema : emaDecay,
                    DropLast = p.GetValue(dropLast),
                    ClipNorm = p.GetValue(clipNorm),
                    ClipValue = p.GetValue(clipValue),
                    WeightDecay = p.GetValue(weightDecay),
                    L1 = p.GetValue(l1),
                    L2 = p.GetValue(l2),
                    Normalize = p.GetValue(normalize)!,
                    Validation = p.GetValue(validation),
                    Patience = p.GetValue(patience),
                    DType = p.GetValue(dtype)!,
                    Seed = p.GetValue(seed),
                    Threads = p.GetValue(threads) is 0 && mpi is not null ? DistributedTraining.ThreadsPerRank() : p.GetValue(threads),
                };
                job = JitWarmUp.CreateJob(config, shard);
            }
            if (mpi is null) return Run(job, p.GetValue(db)!, folder, resumeDir, asJson, p.GetValue(diagnose));
            var parallel = DistributedTraining.Attach(mpi, job, p.GetValue(diagnose));
            int code = worker ? DistributedTraining.RunWorker(job, parallel) : Run(job, p.GetValue(db)!, folder, resumeDir, asJson, false, parallel);
            mpi.Dispose();   // MPI_Finalize on success only: a rank that fails exits without it, and mpirun then ends the others
            return code;
        });
        return cmd;
    }

    /// <summary>Checks and locks the output folder (<see cref="OutputFolder.Claim"/>); a refusal is one line and exit 1.</summary>
    private static OutputFolder ClaimOutput(string path, bool force)
    {
        try { return OutputFolder.Claim(path, force); }
        catch (OutputFolderException e) { throw new UserException(e.Message); }
    }

    private static int Run(TrainingJob job, string dbPath, OutputFolder? folder, string? resumeDir, bool asJson, bool diagnose, DataParallel? parallel = null)
    {
        var config = job.Config;
        using var store = RunStore.Open(dbPath);
        long runId;
        ResumedRun? resumed = null;
        if (resumeDir is null) runId = store.CreateRun(config.ToJson());
        else
        {
            // The run continues only in its own folder; a copy or a branch is a new run with the epochs so far.
            resumed = store.Resume(job.RunId, resumeDir, folder!.Path, config.ToJson());
            runId = resumed.RunId;
            if (resumed.CopyOf is not null)
                foreach (var e in job.Trainer.State.History) store.AddEpoch(runId, e.Epoch, TrainingJob.MetricsOf(e));
        }
        job.RunId = runId;
        OutputFolder? ownFolder = null;
        if (folder is null)
        {
            try { folder = ownFolder = ClaimOutput(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dbPath))!, $"run-{runId}"), force: false); }
            catch (UserException e) { store.Finish(runId, RunStatus.Failed, null, null, e.Message); throw; }
        }
        using var _ = ownFolder;
        string checkpoint = folder.Path;
        if (resumed is { CopyOf: long original } && !asJson)
            AnsiConsole.MarkupLine(Markup.Escape(resumed.OriginalFolder is { } f && OutputFolder.IsSame(f, resumeDir!) && !OutputFolder.IsSame(f, checkpoint)
                ? $"run {runId} is a new run: it continues run {original}'s checkpoint into another folder ({checkpoint}); run {original}'s record is left as it was."
                : $"run {runId} is a new run: '{resumeDir}' is a copy of run {original}'s checkpoint{(resumed.OriginalFolder is { } o ? $" (run {original} is in {o})" : "")}; run {original}'s record is left as it was."));
        if (!asJson)
            CliApp.Console().MarkupLine(Markup.Escape(string.Create(Inv,
                $"run {runId}: {config.Data} ({job.Train.Count} train, {job.Validation?.Count ?? 0} validation, {job.Test.Count} test) · {config.Model} ({job.Train.FeatureCount} in, {job.Train.OutputCount} out) · {job.Loss} · {config.Optimizer} · batch {config.BatchSize}{(config.Augment is { } aug ? $" · augment {aug}" : "")}{(config.Ema > 0 ? $" · ema {config.Ema}" : "")} · {Numbers.Plural(config.Epochs, "epoch")} · seed {config.Seed}")));

        if (!asJson && job.Trainer.State.NextEpoch == 0) RenderSummary(job);

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var observer = diagnose ? new DiagnosticsObserver(job.Model, every: Math.Max(1, job.Loader.BatchCount * config.Epochs / 40)) : null;
        job.Trainer.Observer = observer;
        var view = TrainingView.ForConsole(asJson, config.Epochs);
        var wall = System.Diagnostics.Stopwatch.StartNew();
        int firstEpoch = job.Trainer.State.NextEpoch;
        try
        {
            var result = view.Run((onStep, onEpoch) =>
            {
                job.Trainer.StepReported += onStep;
                job.Trainer.EpochCompleted += e =>
                {
                    job.SaveCheckpoint(checkpoint);
                    store.AddEpoch(runId, e.Epoch, TrainingJob.MetricsOf(e), checkpoint);
                    onEpoch(e);
                };
            }, () => job.Run(cancel.Token));
            if (parallel is not null) DistributedTraining.CheckSame(parallel, job, "after training");
            var test = job.EvaluateTest();
            double samplesPerSecond = result.Epochs.Count == 0 ? 0 : result.Epochs.Average(e => e.SamplesPerSecond);
            var summary = new
            {
                run_id = runId,
                config,
                epochs = job.Trainer.State.History.Select(TrainingJob.MetricsOf),
                model = config.Model.ToString(),
                loss = job.Loss.ToString(),
                test_loss = test.Loss,
                test_accuracy = test.Regression is null ? test.Accuracy : (double?)null,
                test_rmse = test.Regression?.Rmse,
                test_mae = test.Regression?.Mae,
                test_r2 = test.Regression?.R2,
                samples_per_second = samplesPerSecond,
                wall_seconds = wall.Elapsed.TotalSeconds,
                stopped_early = result.StoppedEarly,
                best_epoch = result.BestEpoch + 1,
                step_path = job.Trainer.StepPath,
                checkpoint,
                copy_of_run = resumed?.CopyOf,
                diagnostics = observer is { Collector.BatchCount: > 0 } ? observer.Collector.Report().ToString() : null,
                distributed = parallel is null ? null : DistributedTraining.Summary(parallel, job.Trainer.State.History.Skip(firstEpoch).Sum(e => e.Seconds)),
            };
            store.Finish(runId, RunStatus.Finished, CliApp.ToJson(new { test_loss = test.Loss, test_accuracy = test.Accuracy, test_rmse = test.Regression?.Rmse, test_r2 = test.Regression?.R2, samples_per_second = samplesPerSecond, wall_seconds = wall.Elapsed.TotalSeconds,
                diagnostics = observer is { Collector.BatchCount: > 0 } ? observer.Collector.Report() : null }), checkpoint);
            if (asJson) CliApp.WriteJson(summary);
            else
            {
                if (observer is { Collector.BatchCount: > 0 }) Console.WriteLine(observer.Collector.Report().ToString());
                Render(job, test, samplesPerSecond, wall.Elapsed.TotalSeconds, checkpoint, runId);
                if (parallel is not null) CliApp.Console().MarkupLine(Markup.Escape(DistributedTraining.Describe(parallel, job.Trainer.State.History.Skip(firstEpoch).Sum(e => e.Seconds))));
            }
            return 0;
        }
        catch (DivergenceException e)
        {
            store.Finish(runId, RunStatus.Diverged, null, checkpoint, e.Message);
            throw new UserException(e.Message);
        }
        catch (CheckpointSaveException e)
        {
            store.Finish(runId, RunStatus.Failed, null, checkpoint, e.Message);
            throw new UserException(e.Message);
        }
        catch (OperationCanceledException)
        {
            store.Finish(runId, RunStatus.Failed, null, checkpoint, "interrupted");
            throw new UserException($"interrupted; resume with: ./descent train --resume {checkpoint}");
        }
        catch (Exception e) when (e is not UserException)
        {
            store.Finish(runId, RunStatus.Failed, null, checkpoint, e.Message);
            throw;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void Render(TrainingJob job, Evaluation test, double samplesPerSecond, double wall, string checkpoint, long runId)
    {
        var table = new Table().Title("result").AddColumns("", "value");
        if (test.Regression is { } reg)
        {
            table.AddRow("test RMSE", Numbers.Format(reg.Rmse));
            table.AddRow("test R²", Numbers.Format(reg.R2));
            table.AddRow("test MAE", Numbers.Format(reg.Mae));
        }
        else table.AddRow("test accuracy", Numbers.Format(test.Accuracy));
        table.AddRow("test loss", Numbers.Format(test.Loss));
        table.AddRow("train samples/s", Numbers.Count(samplesPerSecond));
        table.AddRow("wall time", wall.ToString("F1", Inv) + " s");
        table.AddRow("step path", Markup.Escape(job.Trainer.StepPath));
        table.AddRow("run", $"{runId} (./descent runs show {runId})");
        table.AddRow("checkpoint", Markup.Escape(checkpoint));
        CliApp.Console().Write(table);
    }

    /// <summary>The model as a table: layer, type, output shape, parameters (PyTorch-style names).</summary>
    private static void RenderSummary(TrainingJob job)
    {
        var summary = job.Model.Summary(1, job.Train.FeatureCount);
        var t = new Table().AddColumns("layer", "type", "output shape", "parameters");
        foreach (var r in summary.Rows)
            t.AddRow(Markup.Escape(r.Name), Markup.Escape(r.Type), Markup.Escape(Shape.Format(r.OutputShape)), r.Parameters.ToString("N0", Inv));
        t.AddRow("", "[bold]total[/]", "", $"[bold]{summary.TotalParameters.ToString("N0", Inv)}[/]");
        CliApp.Console().Write(t);
    }

    /// <summary>
    /// The model of <c>--model</c>, or the default MLP; the MLP shorthands (--hidden, --activation, --init, --dropout, --batchnorm)
    /// change an MLP with <c>with { … }</c> and are an error beside a layer list (write them into the list).
    /// </summary>
    internal static ModelSpec ModelFrom(string? model, string? hidden, string? activation, string? init, double? dropout, bool batchNorm)
    {
        var spec = model is null ? new MlpSpec { Hidden = hidden is null ? [256, 128] : ParseWidths(hidden) } : ModelSpec.Parse(model);
        bool shorthand = activation is not null || init is not null || dropout is not null || batchNorm;
        if (spec is not MlpSpec mlp)
            return shorthand || hidden is not null
                ? throw new UserException($"--hidden, --activation, --init, --dropout and --batchnorm change an mlp model; with the layer list '{model}', put them in the list (e.g. 'linear:128 bn relu dropout:0.2 linear').")
                : spec;
        if (model is not null && hidden is not null) throw new UserException($"--hidden {hidden} and --model {model} both give the widths; give them once, in --model.");
        if (activation is not null) mlp = mlp with { Activation = activation };
        if (init is not null) mlp = mlp with { Init = init };
        if (dropout is { } p) mlp = mlp with { Dropout = p };
        if (batchNorm) mlp = mlp with { BatchNorm = true };
        return mlp.Checked();
    }

    /// <summary>"256,128" → [256, 128]; "" → [].</summary>
    internal static int[] ParseWidths(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        return text.Split(',', StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, NumberStyles.Integer, Inv, out int w) && w > 0 ? w
                : throw new UserException($"--hidden: '{s}' is not a positive width; expected e.g. 256,128.")).ToArray();
    }
}
