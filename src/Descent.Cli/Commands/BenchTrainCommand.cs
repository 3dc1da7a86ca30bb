using Descent.Nn;
using Descent.Kernels;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Training;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent bench mlp</c> and <c>descent bench cnn</c>: the end-to-end figures of a model trained as the peer trains it
/// (Adam 1e-3, batch 128, constant learning rate) on Fashion-MNIST — training samples/s and epoch time, test accuracy,
/// peak memory, batch-1 inference latency, and the time from process start to the first training step. The MLP is
/// 784-256-128-10 (ReLU, He init), the CNN the peer's two conv blocks (<see cref="Descent.Nn.CnnSpec"/>).
/// </summary>
internal static class BenchTrainCommand
{
    /// <summary><c>bench mlp</c>: the default MLP, 5 epochs.</summary>
    public static Command Mlp() => Create("mlp", "mlp:256,128", 5, "Train the default MLP and report samples/s, epoch time, accuracy, peak memory, batch-1 latency and start-up time.");

    /// <summary><c>bench cnn</c>: the default CNN, 1 epoch (the peer's CNN is slow: its figures come from one epoch too).</summary>
    public static Command Cnn() => Create("cnn", "cnn", 1, "Train the default CNN (conv 32 → BN → ReLU → pool, conv 64 → …, FC 128) and report samples/s, epoch time, accuracy, peak memory, batch-1 latency and start-up time.");

    private static Command Create(string name, string defaultModel, int defaultEpochs, string description)
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var epochs = new Option<int>("--epochs") { Description = "Epochs to train (the best epoch's throughput is reported).", DefaultValueFactory = _ => defaultEpochs };
        var data = new Option<string>("--data") { Description = "Data set (default fashion-mnist).", DefaultValueFactory = _ => "fashion-mnist" };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0: all cores).", DefaultValueFactory = _ => 0 };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule (constant: PyTorch's anchor setting).", DefaultValueFactory = _ => "constant" };
        var model = new Option<string>("--model") { Description = $"The model's text form (default {defaultModel}, the peer's model), e.g. mlp:256,128,bn=true or cnn:16,32.", DefaultValueFactory = _ => defaultModel };
        var profile = new Option<bool>("--profile") { Description = "Also time each phase of the training step (gather, each layer's forward and backward, loss, optimizer) from the second epoch on, and each computation of the batch-1 forward pass (on all --threads), and print where their time goes." };
        var cmd = new Command(name, description)
        {
            epochs, data, model, threads, schedule, profile, json, seed,
        };
        CliApp.SetAction(cmd, p =>
        {
            double startToHere = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
            var sinceHere = Stopwatch.StartNew();
            var job = JitWarmUp.CreateJob(new TrainConfig
            {
                Data = p.GetValue(data)!, Epochs = p.GetValue(epochs), Seed = p.GetValue(seed), Threads = p.GetValue(threads),
                Model = Descent.Nn.ModelSpec.Parse(p.GetValue(model)!),
                Schedule = p.GetValue(schedule) is { } text ? Descent.Schedules.ScheduleSpec.Parse(text) : null,
            });
            double startToFirstStep = double.NaN;
            job.Trainer.Options.ReportEvery = 1;
            void First(StepMetrics _)
            {
                startToFirstStep = startToHere + sinceHere.Elapsed.TotalSeconds;
                job.Trainer.StepReported -= First;
                job.Trainer.Options.ReportEvery = 100;
            }
            job.Trainer.StepReported += First;
            var stepProfile = p.GetValue(profile) ? new StepProfile() : null;
            if (stepProfile is not null) job.Trainer.EpochCompleted += _ => job.Trainer.Profile ??= stepProfile;   // from the second epoch: compiled, warm
            var result = job.Run();
            job.Trainer.Profile = null;
            var test = job.EvaluateTest();
            var best = result.Epochs.MaxBy(e => e.SamplesPerSecond)!;
            var inferenceProfile = p.GetValue(profile) ? new StepProfile() : null;
            var (planUs, graphUs) = InferenceLatency(job, 1);
            var (planUs2, _) = InferenceLatency(job, Math.Max(1, Threading.MaxThreads), inferenceProfile);
            long peak = Process.GetCurrentProcess().PeakWorkingSet64;
            var summary = new
            {
                model = job.Config.Model.ToString(),
                setting = $"{job.Config.Optimizer}, batch {job.Config.BatchSize}",
                data = job.Config.Data,
                threads = Threading.MaxThreads,
                epochs = result.Epochs.Count,
                train_samples_per_s = best.SamplesPerSecond,
                mean_train_samples_per_s = result.Epochs.Average(e => e.SamplesPerSecond),
                best_epoch_seconds = best.Seconds,
                test_accuracy = test.Accuracy,
                peak_rss_mb = peak / (1024.0 * 1024.0),
                inference_latency_us = planUs,
                inference_latency_graph_us = graphUs,
                inference_latency_all_threads_us = planUs2,
                start_to_first_step_s = startToFirstStep,
                step_path = job.Trainer.StepPath,
                profile = stepProfile?.Summarize().Select(r => new { phase = r.Name, p10_us = r.P10Us, median_us = r.MedianUs, p90_us = r.P90Us, mean_us = r.MeanUs, share = r.Share }).ToArray(),
                profiled_steps = stepProfile?.Steps,
                inference_profile = inferenceProfile?.Summarize().Select(r => new { phase = r.Name, p10_us = r.P10Us, median_us = r.MedianUs, p90_us = r.P90Us, mean_us = r.MeanUs, share = r.Share }).ToArray(),
            };
            if (p.GetValue(json)) { CliApp.WriteJson(summary); return 0; }
            var inv = CultureInfo.InvariantCulture;
            var t = new Table().Title($"descent bench {name}: {Markup.Escape(summary.model)}").AddColumns("measure", "value");
            t.AddRow("train samples/s (best epoch)", summary.train_samples_per_s.ToString("N0", inv));
            t.AddRow("train samples/s (mean)", summary.mean_train_samples_per_s.ToString("N0", inv));
            t.AddRow("epoch time (best)", summary.best_epoch_seconds.ToString("F3", inv) + " s");
            t.AddRow($"test accuracy after {summary.epochs} epochs", summary.test_accuracy.ToString("F4", inv));
            t.AddRow("peak memory (RSS)", summary.peak_rss_mb.ToString("F0", inv) + " MB");
            t.AddRow("batch-1 inference (replayed, 1 thread)", summary.inference_latency_us.ToString("F2", inv) + " µs");
            t.AddRow($"batch-1 inference (replayed, {summary.threads} threads)", summary.inference_latency_all_threads_us.ToString("F2", inv) + " µs");
            t.AddRow("batch-1 inference (eager ops, 1 thread)", summary.inference_latency_graph_us.ToString("F2", inv) + " µs");
            t.AddRow("process start → first step", summary.start_to_first_step_s.ToString("F3", inv) + " s");
            t.AddRow("threads", summary.threads.ToString(inv));
            AnsiConsole.Write(t);
            if (stepProfile is not null) AnsiConsole.Write(ProfileTable(stepProfile, $"where a training step's time goes ({stepProfile.Steps:N0} steps after the first epoch, µs)"));
            if (inferenceProfile is not null) AnsiConsole.Write(ProfileTable(inferenceProfile, $"where a batch-1 forward pass's time goes ({summary.threads} threads, {inferenceProfile.Steps:N0} replays, µs)"));
            return 0;
        });
        return cmd;
    }

    /// <summary>The profile as a table: µs per phase (10th percentile, median, mean) and its share of the mean step.</summary>
    private static Table ProfileTable(StepProfile profile, string title)
    {
        var inv = CultureInfo.InvariantCulture;
        var t = new Table().Title(title)
            .AddColumns("phase", "p10", "median", "p90", "mean", "share");
        foreach (var r in profile.Summarize())
            t.AddRow(Markup.Escape(r.Name), r.P10Us.ToString("F1", inv), r.MedianUs.ToString("F1", inv), r.P90Us.ToString("F1", inv), r.MeanUs.ToString("F1", inv), r.Share.ToString("P0", inv));
        return t;
    }

    /// <summary>
    /// Best µs per batch-1 forward pass on <paramref name="threads"/> threads: the captured and replayed forward pass, and the
    /// eager ops under no-grad. With <paramref name="profile"/>, 2,000 more replays are timed computation by computation into it.
    /// </summary>
    private static (double PlanUs, double GraphUs) InferenceLatency(TrainingJob job, int threads, StepProfile? profile = null)
    {
        int saved = Threading.MaxThreads;
        Threading.MaxThreads = threads;
        try
        {
            var x = Tensor.From(job.Test.Row(0).ToArray(), 1, job.Test.FeatureCount);
            job.Model.Eval();
            var forward = new CapturedStep((xs, _, _) =>
            {
                using (Autograd.NoGrad()) return [job.Model.Forward(xs[0])];
            });
            double replayUs = BenchCommand.BestSeconds(() => forward.Run([x], []), 5) * 1e6;
            if (profile is not null)
            {
                forward.Timer = profile;
                for (int i = 0; i < 2000; i++) { profile.Begin(); forward.Run([x], []); profile.End(); }
                forward.Timer = null;
            }
            double graphUs;
            using (Autograd.NoGrad()) graphUs = BenchCommand.BestSeconds(() => job.Model.Forward(x), 5) * 1e6;
            return (replayUs, graphUs);
        }
        finally
        {
            Threading.MaxThreads = saved;
        }
    }
}
