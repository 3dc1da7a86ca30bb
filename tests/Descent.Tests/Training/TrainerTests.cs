using Descent.Kernels;
using Descent.Nn;
using Descent.Optim;
using Descent.Schedules;
using Descent.Training;

namespace Descent.Tests.Training;

public class TrainerTests
{
    private static TrainConfig Moons(int epochs = 30) => new()
    {
        Data = "moons:n=600,noise=0.1",
        Model = new MlpSpec { Hidden = [32, 32] },
        Optimizer = OptimizerSpec.Parse("adam:lr=0.01"),
        BatchSize = 32,
        Epochs = epochs,
        Seed = 3,
    };

    [Fact]
    public void SeededRunOnMoonsReachesStatedAccuracy()
    {
        var job = TrainingJob.Create(Moons());
        var result = job.Run();
        var test = job.EvaluateTest();
        Assert.Equal(30, result.Epochs.Count);
        Assert.True(test.Accuracy >= 0.97, $"test accuracy {test.Accuracy}");
        Assert.StartsWith("captured and replayed", job.Trainer.StepPath);
        Assert.Equal(2, job.Trainer.CapturedStep.Captures);   // the full batch and the last, smaller one
    }

    /// <summary>A step profile names every computation of the replayed step in order and records every replayed step; it changes no result.</summary>
    [Fact]
    public void StepProfileRecordsEveryPhaseOfEveryStepAndChangesNothing()
    {
        var plain = TrainingJob.Create(Moons(2)); plain.Run();
        var job = TrainingJob.Create(Moons(2));
        var profile = new StepProfile();
        job.Trainer.Profile = profile;
        job.Run();
        int batches = job.Loader.BatchCount;
        Assert.Equal(2 * batches - 2, profile.Steps);   // every step but the two that recorded a tape (full and last batch)
        Assert.Equal(0, profile.Skipped);
        var phases = profile.Summarize().Select(r => r.Name).ToArray();
        Assert.Equal(["gather mini-batch", " 1. linear+relu", " 2. linear+relu", " 3. linear+cross_entropy", " 4. backward: ∂L/∂L = 1",
            " 5. linear+cross_entropy backward", " 6. linear+relu backward: ReLU mask, ∂L/∂b", " 7. linear backward: ∂L/∂W", " 8. linear backward: ∂L/∂x",
            " 9. linear+relu backward: ReLU mask, ∂L/∂b", "10. linear backward: ∂L/∂W", "optimizer step", "step"], phases);
        var rows = profile.Summarize();
        Assert.All(rows, r => Assert.True(r.P10Us >= 0 && r.P10Us <= r.MedianUs && r.MedianUs <= r.P90Us && r.MeanUs > 0, r.ToString()));
        Assert.Equal(1.0, rows[^1].Share, 12);
        Assert.Equal(1.0, rows.Take(rows.Count - 1).Sum(r => r.Share), 9);
        foreach (var (name, t) in plain.Model.StateDict()) Assert.True(t.BitwiseEquals(job.Model.StateDict()[name]), name);
    }

    [Fact]
    public void SameSeedGivesBitwiseSameWeights()
    {
        var a = TrainingJob.Create(Moons(3)); a.Run();
        var b = TrainingJob.Create(Moons(3)); b.Run();
        foreach (var (name, t) in a.Model.StateDict()) Assert.True(t.BitwiseEquals(b.Model.StateDict()[name]), name);
    }

    [Fact]
    public void ResumedRunEndsBitwiseEqualToUninterruptedRun()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var config in new[] { Moons(4), Moons(4) with { Model = ModelSpec.Parse("mlp:32x2,dropout=0.2"), Schedule = ScheduleSpec.Parse("cosine:tmax=4") }, Moons(4) with { Model = ModelSpec.Parse("mlp:32x2,bn=true"), Optimizer = OptimizerSpec.Parse("sgd:lr=0.05,momentum=0.9") } })
            {
                var (whole, first, resumed) = TestSupport.WholeAndResumed(config, dir, stopAfter: 1);
                Assert.Equal(2, first.Trainer.State.NextEpoch);
                resumed.Run();
                Assert.Equal(4, resumed.Trainer.State.History.Count);
                foreach (var (name, t) in whole.Model.StateDict())
                    Assert.True(t.BitwiseEquals(resumed.Model.StateDict()[name]), $"{config.Model}: {name} differs after resume");
                Assert.Equal(whole.Trainer.State.History[^1].TrainLoss, resumed.Trainer.State.History[^1].TrainLoss);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    /// <summary>Evaluation replays a recorded forward pass per batch shape (eval mode: running statistics, no dropout) and gives the eager numbers.</summary>
    [Fact]
    public void ReplayedEvaluationIsTheEagerEvaluation()
    {
        var job = TrainingJob.Create(Moons(1) with { Model = ModelSpec.Parse("mlp:32x2,bn=true,dropout=0.3") });
        job.Run();
        var x = job.Test.FeaturesTensor();
        job.Trainer.Options.EvaluationBatchSize = 64;   // several batches and a last, smaller one
        var recorded = job.Trainer.Evaluate(x, job.Test.Labels);
        var replayed = job.Trainer.Evaluate(x, job.Test.Labels);
        job.Trainer.Capture = false;
        var eager = job.Trainer.Evaluate(x, job.Test.Labels);
        Assert.Equal(eager.Loss, recorded.Loss);
        Assert.Equal(eager.Loss, replayed.Loss);
        Assert.Equal(eager.Accuracy, replayed.Accuracy);
        Assert.Equal(eager.Confusion, replayed.Confusion);
    }

    /// <summary>--diagnose observes the replayed step itself: a diagnosed run ends with bitwise the weights of a plain run.</summary>
    [Fact]
    public void DiagnosedRunIsBitwiseThePlainRun()
    {
        var plain = TrainingJob.Create(Moons(2)); plain.Run();
        var diagnosed = TrainingJob.Create(Moons(2));
        var observer = new Descent.Diagnostics.DiagnosticsObserver(diagnosed.Model, every: 1);
        diagnosed.Trainer.Observer = observer;
        diagnosed.Run();
        Assert.True(observer.Collector.BatchCount >= 2 * (diagnosed.Loader.BatchCount - 1), $"{observer.Collector.BatchCount} batches observed");
        Assert.True(diagnosed.Trainer.CapturedStep.LastReplayed);
        foreach (var (name, t) in plain.Model.StateDict()) Assert.True(t.BitwiseEquals(diagnosed.Model.StateDict()[name]), name);
        Assert.NotEmpty(observer.Collector.Report().Layers);
    }

    /// <summary>
    /// A Sequential ending in a Linear, under cross-entropy, trains through the fused head (Ops.LinearCrossEntropy), and its
    /// accuracy is counted on the head's logits; a model ending in anything else runs the model, then the loss.
    /// </summary>
    [Fact]
    public void TheStepFusesTheLastLinearWithCrossEntropyOnlyWhenTheModelEndsInALinear()
    {
        static bool Has(Trainer t, string op) => t.CapturedStep.LastTape!.Names.Any(n => n is not null && n[4..] == op);
        var job = TrainingJob.Create(Moons(1));
        var result = job.Run();
        Assert.True(Has(job.Trainer, "linear+cross_entropy") && Has(job.Trainer, "linear+cross_entropy backward"));
        Assert.False(Has(job.Trainer, "cross_entropy") || Has(job.Trainer, "linear"));
        Assert.True(result.Epochs[0].TrainAccuracy > 0.5, $"train accuracy {result.Epochs[0].TrainAccuracy}");

        var rng = new Rng(3);
        var model = new Sequential(new Linear(2, 8, rng), new ReLU(), new Linear(8, 2, rng), new Tanh());
        var trainer = new Trainer(model, OptimizerSpec.Parse("sgd:lr=0.1").Create(model.Parameters));
        var x = Tensor.Normal(rng, 0, 1, DType.Float32, 16, 2);
        var labels = Enumerable.Range(0, 16).Select(i => i % 2).ToArray();
        for (int i = 0; i < 2; i++) trainer.Step(x, labels, 0);
        Assert.True(trainer.CapturedStep.LastReplayed);
        Assert.True(Has(trainer, "linear") && Has(trainer, "cross_entropy") && !Has(trainer, "linear+cross_entropy"));
    }

    /// <summary>The replayed steps of a whole run give bitwise the weights and losses of eager steps (batch norm, dropout, L2, label smoothing).</summary>
    [Fact]
    public void ReplayedRunIsBitwiseTheEagerRun()
    {
        var config = Moons(2) with { Model = ModelSpec.Parse("mlp:32x2,bn=true,dropout=0.2"), L2 = 1e-3, Loss = Descent.Losses.LossSpec.Parse("cross-entropy:label_smoothing=0.1") };
        var eager = TrainingJob.Create(config);
        eager.Trainer.Capture = false;
        eager.Run();
        var replayed = TrainingJob.Create(config);
        replayed.Run();
        Assert.StartsWith("eager", eager.Trainer.StepPath);
        Assert.True(replayed.Trainer.CapturedStep.LastReplayed);
        Assert.Contains(replayed.Trainer.CapturedStep.LastTape!.Names, n => n is not null && n.EndsWith(" linear+cross_entropy", StringComparison.Ordinal));
        Assert.Equal(eager.Trainer.State.History.Select(e => e.TrainLoss), replayed.Trainer.State.History.Select(e => e.TrainLoss));
        foreach (var (name, t) in eager.Model.StateDict()) Assert.True(t.BitwiseEquals(replayed.Model.StateDict()[name]), name);
    }

    [Fact]
    public void DivergenceStopsWithStepLastLossAndAdvice()
    {
        var job = TrainingJob.Create(Moons(5) with { Optimizer = OptimizerSpec.Parse("sgd:lr=1e6"), Normalize = "none", Model = ModelSpec.Parse("mlp:32,32,init=normal:10") });
        var e = Assert.Throws<DivergenceException>(() => job.Run());
        Assert.Contains("learning rate", e.Message);
        Assert.Contains("step", e.Message);
        Assert.True(e.Step >= 0);
    }

    [Fact]
    public void EarlyStoppingRestoresBestWeights()
    {
        var job = TrainingJob.Create(Moons(40) with { Validation = 0.2, Patience = 2, Optimizer = OptimizerSpec.Parse("adam:lr=0.05") });
        var r = job.Run();
        Assert.True(r.Epochs.Count <= 40);
        var best = r.Epochs.MinBy(e => e.ValidationLoss)!;
        Assert.Equal(best.Epoch, r.BestEpoch);
        var ev = job.Trainer.Evaluate(job.Validation!.FeaturesTensor(), job.Validation.Labels);
        Assert.Equal(best.ValidationLoss, ev.Loss, 6);
    }
}

[Collection("Threading")]   // alone: a caller that finds the worker pool busy runs parts itself, making that thread's scratch once
public class TrainingStepAllocationTests
{
    /// <summary>0 bytes per steady-state step through the trainer, for the models of the one-path issue (and a regression with MSE).</summary>
    [Theory]
    [InlineData("mlp:64,32", "adam:lr=1e-3", null, null, 0.0, "blobs:n=512,classes=4")]
    [InlineData("mlp:64,32,dropout=0.1", "sgd:lr=0.1,momentum=0.9,nesterov=true", 1.0, null, 1e-3, "blobs:n=512,classes=4")]
    [InlineData("mlp:64,32,bn=true", "adam:lr=1e-3", null, "cross-entropy:label_smoothing=0.1", 0.0, "blobs:n=512,classes=4")]
    [InlineData("mlp:32x3,residual=true", "adam:lr=1e-3", null, null, 0.0, "blobs:n=512,classes=4")]
    [InlineData("mlp:64,32", "adam:lr=1e-3", null, "mse", 0.0, "sine:n=512")]
    [InlineData("mlp:64,32,bn=true", "adamw:lr=1e-3", null, null, 0.0, "blobs:n=512,classes=4", 0.999)]   // with the weight average (--ema)
    public void SteadyStateTrainingStepAllocatesNothing(string model, string optimizer, double? clipNorm, string? loss, double l2, string data, double ema = 0)
    {
        var job = TrainingJob.Create(new TrainConfig
        {
            Data = data, Model = ModelSpec.Parse(model), Optimizer = OptimizerSpec.Parse(optimizer), ClipNorm = clipNorm, BatchSize = 64, Epochs = 1,
            Loss = loss is null ? null : Descent.Losses.LossSpec.Parse(loss), L2 = l2, Validation = 0, Ema = ema,
        });
        Assert.Equal(ema > 0, job.Trainer.Average is not null);
        // Warm up: buffers, optimizer state, JIT, and the GEMM's split threshold (otherwise measured a second after the
        // first product, which could fall inside the counted epoch).
        _ = Descent.Kernels.PeakProbe.Measured; _ = Descent.Kernels.PeakProbe.HandOffSeconds;
        foreach (var b in job.Loader.Batches(0)) job.Trainer.Step(b.X, b.Labels, 0, b.Targets);
        job.Loader.StartEpoch(1);   // the epoch's shuffle draws from a new RNG stream (one small object per epoch)
        long before = GC.GetAllocatedBytesForCurrentThread();
        int steps = 0;
        while (job.Loader.Next(out var b)) { job.Trainer.Step(b.X, b.Labels, 1, b.Targets); steps++; }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(steps == 8, $"{steps} steps");
        Assert.Equal(0, allocated);
        Assert.StartsWith("captured and replayed", job.Trainer.StepPath);
        if (loss is null || loss.StartsWith("cross-entropy", StringComparison.Ordinal))   // the classifier's head is the fused op
            Assert.Contains(job.Trainer.CapturedStep.LastTape!.Names, n => n is not null && n.EndsWith(" linear+cross_entropy", StringComparison.Ordinal));
    }
}

[Collection("Threading")]
public class TrainingThreadDeterminismTests
{
    [Fact]
    public void OneAndTwoThreadsGiveBitwiseTheSameWeightsAndMetrics()
    {
        // Wide enough layers that the GEMMs split over the worker pool (128 × 512 × 512 multiply-adds).
        var config = new TrainConfig { Data = "spirals:n=1024", Model = ModelSpec.Parse("mlp:512x2,dropout=0.1"), Epochs = 2, Optimizer = OptimizerSpec.Parse("adam:lr=1e-3") };
        TestSupport.TrainedOnOneAndTwoThreads(config);
    }
}
