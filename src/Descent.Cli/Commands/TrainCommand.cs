using System.CommandLine;
using System.Globalization;
using Descent.Cli.Rendering;
using Descent.Diagnostics;
using Descent.Storage;
using Descent.Training;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent train</c>: trains an MLP (default 784-256-128-10, ReLU, He init, Adam 1e-3, batch 128, 10 epochs on
/// Fashion-MNIST, seed 0), shows its progress, records the run in SQLite, saves a safetensors checkpoint after
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
        var data = new Option<string>("--data") { Description = "Data set: fashion-mnist, mnist:DIR, circles, moons, spirals, blobs, xor, csv:PATH[,label=COL].", DefaultValueFactory = _ => d.Data };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer widths, comma-separated (e.g. 256,128; empty for none).", DefaultValueFactory = _ => string.Join(",", d.Hidden) };
        var activation = new Option<string>("--activation") { Description = "Hidden activation: relu, tanh, sigmoid, leaky_relu, elu, gelu, identity.", DefaultValueFactory = _ => d.Activation };
        var init = new Option<string>("--init") { Description = "Weight initializer: he, he-uniform, xavier, xavier-normal, lecun, orthogonal, zeros, normal:STD, uniform:A,B, default.", DefaultValueFactory = _ => d.Init };
        var optimizer = new Option<string>("--optimizer") { Description = "Optimizer: sgd, momentum, adagrad, rmsprop, adam, adamw, with keys, e.g. sgd:lr=0.1,momentum=0.9.", DefaultValueFactory = _ => d.Optimizer };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (overrides lr in --optimizer)." };
        var schedule = new Option<string?>("--schedule") { Description = "Learning-rate schedule: cosine (default: anneal to 0 over the run), constant, exponential:base=0.95, inverse-time:decay=1, step:size=3,gamma=0.5, plateau:patience=2, …", DefaultValueFactory = _ => d.Schedule };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size.", DefaultValueFactory = _ => d.BatchSize };
        var epochs = new Option<int>("--epochs") { Description = "Number of epochs.", DefaultValueFactory = _ => d.Epochs };
        var dropLast = new Option<bool>("--drop-last") { Description = "Drop the last incomplete batch of each epoch." };
        var clipNorm = new Option<double?>("--clip-norm") { Description = "Clip the gradients' global L2 norm to this value." };
        var clipValue = new Option<double?>("--clip-value") { Description = "Clip each gradient element to ±value." };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay given to the optimizer (PyTorch semantics)." };
        var l1 = new Option<double>("--l1") { Description = "L1 penalty λ·Σ|w| on the weights, added to the loss." };
        var l2 = new Option<double>("--l2") { Description = "L2 penalty ½λ·Σw² on the weights, added to the loss." };
        var dropout = new Option<double>("--dropout") { Description = "Dropout probability after each hidden activation." };
        var batchNorm = new Option<bool>("--batchnorm") { Description = "Batch normalization before each hidden activation." };
        var normalize = new Option<string>("--normalize") { Description = "Input normalization fit on the training split: global, per-feature, none.", DefaultValueFactory = _ => d.Normalize };
        var validation = new Option<double>("--validation") { Description = "Fraction of the training set held out for validation." };
        var patience = new Option<int?>("--patience") { Description = "Early stopping: epochs without validation improvement (restores the best weights)." };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing of the cross-entropy." };
        var dtype = new Option<string>("--dtype") { Description = "Element type: float32 or float64.", DefaultValueFactory = _ => d.DType };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0: all cores). Results do not depend on it." };
        var outDir = new Option<string?>("--out") { Description = "Checkpoint folder (default runs/run-ID)." };
        var db = new Option<string>("--db") { Description = "Run database (SQLite).", DefaultValueFactory = _ => Sqlite.DefaultPath };
        var diagnose = new Option<bool>("--diagnose") { Description = "Collect per-layer activation, gradient and update statistics while training and print a report with advice." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run checkpointed in this folder (its saved settings are used)." };
        var cmd = new Command("train", "Train a model (default: MLP 784-256-128-10 on Fashion-MNIST), record the run and save checkpoints.")
        {
            data, hidden, activation, init, optimizer, lr, schedule, batch, epochs, dropLast, clipNorm, clipValue, weightDecay, l1, l2,
            dropout, batchNorm, normalize, validation, patience, smoothing, dtype, threads, outDir, db, resume, diagnose, seed, json,
        };
        CliApp.SetAction(cmd, p =>
        {
            bool asJson = p.GetValue(json);
            TrainingJob job;
            string? resumeDir = p.GetValue(resume);
            if (resumeDir is not null)
            {
                job = TrainingJob.Resume(resumeDir);
                JitWarmUp.ReleaseLoadBuffers();
            }
            else
            {
                var opt = p.GetValue(optimizer)!;
                if (p.GetValue(lr) is { } rate)
                    opt = rate > 0 && double.IsFinite(rate) ? SetLearningRate(opt, rate) : throw new UserException($"--lr: expected a finite number > 0, got {rate.ToString("R", Inv)}.");
                var config = new TrainConfig
                {
                    Data = p.GetValue(data)!,
                    Hidden = ParseWidths(p.GetValue(hidden)!),
                    Activation = p.GetValue(activation)!,
                    Init = p.GetValue(init)!,
                    Optimizer = opt,
                    Schedule = p.GetValue(schedule),
                    BatchSize = p.GetValue(batch),
                    Epochs = p.GetValue(epochs),
                    DropLast = p.GetValue(dropLast),
                    ClipNorm = p.GetValue(clipNorm),
                    ClipValue = p.GetValue(clipValue),
                    WeightDecay = p.GetValue(weightDecay),
                    L1 = p.GetValue(l1),
                    L2 = p.GetValue(l2),
                    Dropout = p.GetValue(dropout),
                    BatchNorm = p.GetValue(batchNorm),
                    Normalize = p.GetValue(normalize)!,
                    Validation = p.GetValue(validation),
                    Patience = p.GetValue(patience),
                    LabelSmoothing = p.GetValue(smoothing),
                    DType = p.GetValue(dtype)!,
                    Seed = p.GetValue(seed),
                    Threads = p.GetValue(threads),
                };
                job = JitWarmUp.CreateJob(config);
            }
            return Run(job, p.GetValue(db)!, p.GetValue(outDir) ?? resumeDir, asJson, p.GetValue(diagnose));
        });
        return cmd;
    }

    private static int Run(TrainingJob job, string dbPath, string? outDir, bool asJson, bool diagnose)
    {
        var config = job.Config;
        using var store = RunStore.Open(dbPath);
        long runId = job.RunId ?? store.CreateRun(config.ToJson());
        if (job.RunId is not null) store.Claim(runId);   // a resumed run is running again, under this process
        job.RunId = runId;
        string checkpoint = outDir ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dbPath))!, $"run-{runId}");
        if (!asJson)
            CliApp.Console().MarkupLine(Markup.Escape(string.Create(Inv,
                $"run {runId}: {config.Data} ({job.Train.Count} train, {job.Validation?.Count ?? 0} validation, {job.Test.Count} test) · MLP {job.Train.FeatureCount}-{string.Join("-", config.Hidden)}-{job.Train.ClassCount} {config.Activation} · {config.Optimizer} · batch {config.BatchSize} · {Numbers.Plural(config.Epochs, "epoch")} · seed {config.Seed}")));

        if (!asJson && job.Trainer.State.NextEpoch == 0) RenderSummary(job);

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var observer = diagnose ? new DiagnosticsObserver(job.Model, every: Math.Max(1, job.Loader.BatchCount * config.Epochs / 40)) : null;
        job.Trainer.Observer = observer;
        var view = TrainingView.ForConsole(asJson, config.Epochs);
        var wall = System.Diagnostics.Stopwatch.StartNew();
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
            var test = job.EvaluateTest();
            double samplesPerSecond = result.Epochs.Count == 0 ? 0 : result.Epochs.Average(e => e.SamplesPerSecond);
            var summary = new
            {
                run_id = runId,
                config,
                epochs = job.Trainer.State.History.Select(TrainingJob.MetricsOf),
                test_loss = test.Loss,
                test_accuracy = test.Accuracy,
                samples_per_second = samplesPerSecond,
                wall_seconds = wall.Elapsed.TotalSeconds,
                stopped_early = result.StoppedEarly,
                best_epoch = result.BestEpoch + 1,
                step_path = job.Trainer.StepPath,
                checkpoint,
                diagnostics = observer is { Collector.BatchCount: > 0 } ? observer.Collector.Report().ToString() : null,
            };
            store.Finish(runId, RunStatus.Finished, CliApp.ToJson(new { test_loss = test.Loss, test_accuracy = test.Accuracy, samples_per_second = samplesPerSecond, wall_seconds = wall.Elapsed.TotalSeconds }), checkpoint);
            if (asJson) CliApp.WriteJson(summary);
            else
            {
                if (observer is { Collector.BatchCount: > 0 }) Console.WriteLine(observer.Collector.Report().ToString());
                Render(job, test, samplesPerSecond, wall.Elapsed.TotalSeconds, checkpoint, runId);
            }
            return 0;
        }
        catch (DivergenceException e)
        {
            store.Finish(runId, RunStatus.Diverged, null, checkpoint, e.Message);
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
        table.AddRow("test accuracy", Numbers.Format(test.Accuracy));
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

    /// <summary>"256,128" → [256, 128]; "" → [].</summary>
    internal static int[] ParseWidths(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        return text.Split(',', StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, NumberStyles.Integer, Inv, out int w) && w > 0 ? w
                : throw new UserException($"--hidden: '{s}' is not a positive width; expected e.g. 256,128.")).ToArray();
    }

    /// <summary>Puts lr=RATE into an optimizer text form, replacing an lr that is there.</summary>
    internal static string SetLearningRate(string optimizer, double rate)
    {
        var parts = optimizer.Split(':', 2);
        var keys = parts.Length > 1 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Where(k => !k.Trim().StartsWith("lr=", StringComparison.OrdinalIgnoreCase)).ToList() : [];
        keys.Insert(0, "lr=" + rate.ToString("R", Inv));
        return parts[0] + ":" + string.Join(",", keys);
    }
}
