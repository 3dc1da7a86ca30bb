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
        Assert.StartsWith("planned", job.Trainer.StepPath);
    }

    /// <summary>A step profile names every phase of the planned step in order and records every step; it changes no result.</summary>
    [Fact]
    public void StepProfileRecordsEveryPhaseOfEveryStepAndChangesNothing()
    {
        var plain = TrainingJob.Create(Moons(2)); plain.Run();
        var job = TrainingJob.Create(Moons(2));
        var profile = new StepProfile();
        job.Trainer.Profile = profile;
        job.Run();
        int batches = job.Loader.BatchCount;
        Assert.Equal(2 * batches, profile.Steps);
        Assert.Equal(0, profile.Skipped);
        var phases = profile.Summarize().Select(r => r.Name).ToArray();
        Assert.Equal(["gather mini-batch", "forward 1: linear+relu 2→32", "forward 2: linear+relu 32→32",
            "layer 3: linear 32→2 + softmax cross-entropy, forward and backward", "backward 2: linear+relu 32→32", "backward 1: linear+relu 2→32",
            "optimizer step", "step"], phases);
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
                var whole = TrainingJob.Create(config);
                whole.Run();

                var first = TrainingJob.Create(config with { Epochs = 4 });
                first.Trainer.EpochCompleted += e => { if (e.Epoch == 1) { first.SaveCheckpoint(dir); first.Trainer.RequestStop(); } };
                first.Run();
                Assert.Equal(2, first.Trainer.State.NextEpoch);

                var resumed = TrainingJob.Resume(dir);
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

    [Fact]
    public void PlannedAndAutogradPathsAgree()
    {
        var planned = TrainingJob.Create(Moons(2));
        planned.Run();
        Assert.StartsWith("planned", planned.Trainer.StepPath);
        // A tiny L2 penalty forces the autograd path; with λ → 0 the trajectories agree closely.
        var graph = TrainingJob.Create(Moons(2) with { L2 = 1e-300 });
        graph.Run();
        Assert.StartsWith("autograd", graph.Trainer.StepPath);
        foreach (var (name, t) in planned.Model.StateDict())
            TestSupport.Close(t.ToArray(), graph.Model.StateDict()[name].ToArray(), 1e-3, 1e-3, name);
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

public class TrainingStepAllocationTests
{
    [Theory]
    [InlineData("adam:lr=1e-3", null)]
    [InlineData("sgd:lr=0.1,momentum=0.9,nesterov=true", 1.0)]
    public void SteadyStateTrainingStepAllocatesNothing(string optimizer, double? clipNorm)
    {
        var job = TrainingJob.Create(new TrainConfig
        {
            Data = "blobs:n=512,classes=4", Model = ModelSpec.Parse("mlp:64,32,dropout=0.1"), Optimizer = OptimizerSpec.Parse(optimizer), ClipNorm = clipNorm, BatchSize = 64, Epochs = 1,
        });
        // Warm up: buffers, optimizer state, JIT.
        foreach (var b in job.Loader.Batches(0)) job.Trainer.Step(b.X, b.Labels, 0);
        job.Loader.StartEpoch(1);   // the epoch's shuffle draws from a new RNG stream (one small object per epoch)
        long before = GC.GetAllocatedBytesForCurrentThread();
        int steps = 0;
        while (job.Loader.Next(out var b)) { job.Trainer.Step(b.X, b.Labels, 1); steps++; }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(steps == 8, $"{steps} steps");
        Assert.Equal(0, allocated);
        Assert.StartsWith("planned", job.Trainer.StepPath);
    }
}

[Collection("Threading")]
public class TrainingThreadDeterminismTests
{
    [Fact]
    public void OneAndTwoThreadsGiveBitwiseTheSameWeightsAndMetrics()
    {
        int saved = Threading.MaxThreads;
        try
        {
            // Wide enough layers that the GEMMs split over the worker pool (128 × 512 × 512 multiply-adds).
            var config = new TrainConfig { Data = "spirals:n=1024", Model = ModelSpec.Parse("mlp:512x2,dropout=0.1"), Epochs = 2, Optimizer = OptimizerSpec.Parse("adam:lr=1e-3") };
            var one = TrainingJob.Create(config with { Threads = 1 }); one.Run();
            var two = TrainingJob.Create(config with { Threads = 2 }); two.Run();
            foreach (var (name, t) in one.Model.StateDict()) Assert.True(t.BitwiseEquals(two.Model.StateDict()[name]), name);
            Assert.Equal(one.Trainer.State.History.Select(e => e.TrainLoss), two.Trainer.State.History.Select(e => e.TrainLoss));
        }
        finally
        {
            Threading.MaxThreads = saved;
        }
    }
}
