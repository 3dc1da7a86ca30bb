using Descent.Kernels;
using Descent.Nn;
using Descent.Optim;
using Descent.Training;

namespace Descent.Tests.Training;

/// <summary>
/// A convolutional network trains on the one path like the MLP: captured and replayed with no allocation, bitwise the
/// eager step, bitwise for 1 and 2 threads, resumable bitwise. Data: the synthetic line images (bars, [1, 12, 12]).
/// </summary>
[Collection("Threading")]
public class CnnTrainingTests
{
    private static TrainConfig Bars(int epochs, string model = "cnn:4,8,fc=16") => new()
    {
        Data = "bars:n=512", Model = ModelSpec.Parse(model), Epochs = epochs, BatchSize = 64, Validation = 0, Optimizer = OptimizerSpec.Parse("adam:lr=3e-3"),
    };

    [Fact]
    public void SmallCnnLearnsTheDirectionOfLines()
    {
        var job = TrainingJob.Create(Bars(4));
        job.Run();
        Assert.Equal([1, 12, 12], job.Model.InputShape!);
        var test = job.EvaluateTest();
        Assert.True(test.Accuracy > 0.9, $"test accuracy {test.Accuracy}");
    }

    [Theory]
    [InlineData("cnn:4,8,fc=16")]
    [InlineData("conv:6,k=5,p=2 relu avgpool:2 conv:8,s=2,bias=false bn relu gap flatten linear")]
    public void SteadyStateCnnStepAllocatesNothing(string model)
    {
        var job = TrainingJob.Create(Bars(1, model));
        foreach (var b in job.Loader.Batches(0)) job.Trainer.Step(b.X, b.Labels, 0, b.Targets);
        // The second epoch in two windows of 4 steps, the smaller count kept (see SteadyWindow: a kernel part first run on
        // this thread creates its scratch once; a step that allocates every time shows in both).
        job.Loader.StartEpoch(1);
        var window = new SteadyWindow(10);
        int steps = 0;
        while (job.Loader.Next(out var b)) { window.At(steps + 2); job.Trainer.Step(b.X, b.Labels, 1, b.Targets); steps++; }
        Assert.Equal(8, steps);
        Assert.Equal(0, window.Allocated());
        Assert.StartsWith("captured and replayed", job.Trainer.StepPath);
    }

    [Fact]
    public void ReplayedCnnRunIsBitwiseTheEagerRun()
    {
        var config = Bars(2);
        var eager = TrainingJob.Create(config);
        eager.Trainer.Capture = false;
        eager.Run();
        var replayed = TrainingJob.Create(config);
        replayed.Run();
        Assert.True(replayed.Trainer.CapturedStep.LastReplayed);
        Assert.Equal(eager.Trainer.State.History.Select(e => e.TrainLoss), replayed.Trainer.State.History.Select(e => e.TrainLoss));
        foreach (var (name, t) in eager.Model.StateDict()) Assert.True(t.BitwiseEquals(replayed.Model.StateDict()[name]), name);
    }

    /// <summary>--diagnose on a CNN: per-channel statistics of the feature maps, and the observed run is bitwise the plain one.</summary>
    [Fact]
    public void DiagnosedCnnRunIsBitwiseThePlainRunWithChannelStatistics()
    {
        var plain = TrainingJob.Create(Bars(1)); plain.Run();
        var diagnosed = TrainingJob.Create(Bars(1));
        var observer = new Descent.Diagnostics.DiagnosticsObserver(diagnosed.Model, every: 1);
        diagnosed.Trainer.Observer = observer;
        diagnosed.Run();
        foreach (var (name, t) in plain.Model.StateDict()) Assert.True(t.BitwiseEquals(diagnosed.Model.StateDict()[name]), name);
        var report = observer.Collector.Report();
        Assert.Equal(3, report.Layers.Count);                                            // the two conv blocks' ReLUs and the FC's
        Assert.Equal(4, report.Layers[0].Channels);                                      // cnn:4,8: per channel of the first feature map
    }

    [Fact]
    public void OneAndTwoThreadsGiveBitwiseTheSameCnn()
    {
        // Wide enough that the convolutions and the batch norm split over the worker pool.
        TestSupport.TrainedOnOneAndTwoThreads(Bars(1, "cnn:16,32,fc=32") with { Data = "bars:n=256,size=16" });
    }

    [Fact]
    public void ResumedCnnRunEndsBitwiseEqualToUninterruptedRun()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-cnn-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = Bars(3);
            var (whole, _, resumed) = TestSupport.WholeAndResumed(config, dir, stopAfter: 0);
            resumed.Run();
            Assert.Equal(3, resumed.Trainer.State.History.Count);
            foreach (var (name, t) in whole.Model.StateDict())
                Assert.True(t.BitwiseEquals(resumed.Model.StateDict()[name]), $"{name} differs after resume");
            var loaded = TrainedModel.Load(dir);
            Assert.Equal([1, 12, 12], loaded.Model.InputShape!);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
