using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Training;

namespace Descent.Tests.Autograd;

/// <summary>
/// A recorded tape's buffers planned by lifetime (<see cref="Tape.Plan"/>): a replay that starts from an arena filled with
/// NaN still gives bitwise the eager numbers (so no planned buffer is read before a replay writes it), the buffers read
/// outside the computations — constants, gradients, outputs, kept tensors — keep arrays of their own, and the tapes of
/// one step, and a trainer's evaluation, share one arena.
/// </summary>
[Collection("Threading")]
public class TapePlanningTests
{
    [Theory]
    [MemberData(nameof(CapturedStepTests.Models), MemberType = typeof(CapturedStepTests))]
    public void ReplaysFromAPoisonedArenaAreBitwiseTheEagerSteps(string kind)
    {
        var eager = CapturedStepTests.Train(kind, capture: false, steps: 5);
        var replay = CapturedStepTests.Train(kind, capture: true, steps: 5, poison: true);
        Assert.True(replay.Step!.Arena.Bytes > 0, $"{kind}: nothing was planned");
        Assert.Equal(eager.Losses, replay.Losses);
        foreach (var (name, t) in eager.Model.StateDict())
            Assert.True(t.BitwiseEquals(replay.Model.StateDict()[name]), $"{kind}: {name} differs after replays from a poisoned arena");
    }

    public static TheoryData<string, string> Runs => new()
    {
        { "moons:n=600,noise=0.1", "mlp:256,128" },
        { "moons:n=600,noise=0.1", "mlp:32x2,bn=true,dropout=0.2" },
        { "moons:n=600,noise=0.1", "mlp:32x3,residual=true" },
        { "sine:n=500", "linear:32 bn tanh residual(linear:32 relu) linear" },
        { "bars:n=512", "cnn:4,8,fc=16" },
    };

    /// <summary>Whole runs (with a validation split, so evaluation replays from the shared arena too), the arena poisoned after every step.</summary>
    [Theory]
    [MemberData(nameof(Runs))]
    public void TrainingFromAPoisonedArenaIsBitwiseTheEagerRun(string data, string model)
    {
        var config = new TrainConfig
        {
            Data = data, Model = ModelSpec.Parse(model), Epochs = 2, BatchSize = 48, Validation = 0.2, Seed = 7,
            Optimizer = OptimizerSpec.Parse("adam:lr=3e-3"), Loss = data.StartsWith("sine") ? LossSpec.Mse : null,
        };
        var eager = TrainingJob.Create(config);
        eager.Trainer.Capture = false;
        eager.Run();
        var replayed = TrainingJob.Create(config);
        replayed.Trainer.Options.ReportEvery = 1;
        replayed.Trainer.StepReported += _ => replayed.Trainer.CapturedStep.Arena.Poison();
        replayed.Run();
        Assert.True(replayed.Trainer.CapturedStep.LastReplayed);
        Assert.True(replayed.Trainer.CapturedStep.Arena.Bytes > 0);
        Assert.Equal(eager.Trainer.State.History, replayed.Trainer.State.History, new HistoryComparer());
        foreach (var (name, t) in eager.Model.StateDict()) Assert.True(t.BitwiseEquals(replayed.Model.StateDict()[name]), $"{model}: {name}");
        replayed.Trainer.CapturedStep.Arena.Poison();
        Assert.Equal(eager.EvaluateTest().Loss, replayed.EvaluateTest().Loss);
    }

    /// <summary>Epoch metrics equal in every figure but the timings.</summary>
    private sealed class HistoryComparer : IEqualityComparer<EpochMetrics>
    {
        public bool Equals(EpochMetrics? a, EpochMetrics? b) =>
            a!.TrainLoss.Equals(b!.TrainLoss) && a.TrainAccuracy.Equals(b.TrainAccuracy) && a.ValidationLoss.Equals(b.ValidationLoss)
            && a.ValidationAccuracy.Equals(b.ValidationAccuracy) && a.GradientNorm.Equals(b.GradientNorm) && a.TrainRmse.Equals(b.TrainRmse);

        public int GetHashCode(EpochMetrics e) => 0;
    }

    [Fact]
    public void AConstantFilledWhileRecordingKeepsItsOwnArray()
    {
        Tensor? constant = null, scratch = null;
        var step = new CapturedStep((xs, _, _) =>
        {
            constant = Tensor.Full(3.0, DType.Float32, 4, 8);    // filled once, outside any computation
            scratch = xs[0] * constant;                           // [4, 8] dead after the next line
            return [scratch.Exp() + 1.0];
        });
        var x = Tensor.Normal(new Rng(1), 0, 1, DType.Float32, 4, 8);
        var expected = step.Run([x], []).Single().Clone();
        Assert.False(step.Arena.Holds(constant!));
        Assert.True(step.Arena.Holds(scratch!));
        var memory = step.Memory.Single();
        Assert.True(memory.Constants >= 4 * 8 * 4, $"constants: {memory.Constants} bytes");
        Assert.True(memory.Planned > 0);
        for (int i = 0; i < 3; i++)
        {
            step.Arena.Poison();
            Assert.True(step.Run([x], []).Single().BitwiseEquals(expected), $"replay {i}");
        }
        Assert.All(constant!.ToArray(), v => Assert.Equal(3.0, v));
    }

    [Fact]
    public void GradientsOutputsAndKeptTensorsKeepTheirArrays()
    {
        var rng = new Rng(2);
        var layer = new Linear(8, 6, rng);
        Tensor? hidden = null, kept = null;
        var step = new CapturedStep((xs, _, _) =>
        {
            foreach (var p in layer.Parameters) p.Grad = null;
            hidden = layer.Forward(xs[0]).Tanh();                    // [4, 6] scratch
            kept = hidden.Sigmoid();                                  // [4, 6] read after the step
            Tape.Keep(kept);
            var loss = kept.Sum();
            loss.Backward();
            return [loss];
        });
        var x = Tensor.Normal(new Rng(3), 0, 1, DType.Float32, 4, 8);
        var loss = step.Run([x], []).Single();
        var memory = step.Memory.Single();
        Assert.Equal(4, memory.Outputs);
        Assert.Equal(4 * 6 * 4, memory.Kept);
        Assert.Equal((8 * 6 + 6) * 4, memory.Gradients);
        Assert.False(step.Arena.Holds(loss));
        Assert.False(step.Arena.Holds(kept!));
        Assert.All(layer.Parameters, p => Assert.False(step.Arena.Holds(p.Grad!)));
        Assert.True(step.Arena.Holds(hidden!));
    }

    /// <summary>A diagnostics probe reads each layer's activations after backward: they are kept, so its statistics are the eager run's.</summary>
    [Fact]
    public void TheActivationsADiagnosticsProbeReadsAreKept()
    {
        var config = new TrainConfig { Data = "bars:n=256", Model = ModelSpec.Parse("cnn:4,8,fc=16"), Epochs = 1, BatchSize = 64, Validation = 0, Seed = 2 };
        Descent.Diagnostics.DiagnosticsReport Diagnosed(bool capture)
        {
            var job = TrainingJob.Create(config);
            job.Trainer.Capture = capture;
            var observer = new Descent.Diagnostics.DiagnosticsObserver(job.Model, every: 1);
            job.Trainer.Observer = observer;
            job.Run();
            return observer.Collector.Report();
        }
        var eager = Diagnosed(false).Layers;
        var replayed = Diagnosed(true).Layers;
        Assert.Equal(eager.Count, replayed.Count);
        for (int i = 0; i < eager.Count; i++)
        {
            var (e, r) = (eager[i], replayed[i]);
            Assert.True(e.Mean.Equals(r.Mean) && e.Std.Equals(r.Std) && e.DeadFraction.Equals(r.DeadFraction) && e.GradientStd.Equals(r.GradientStd)
                && e.UpdateRatio.Equals(r.UpdateRatio) && e.ChannelMeans.SequenceEqual(r.ChannelMeans), $"layer {i}: eager {e}, replayed {r}");
        }
    }

    [Fact]
    public void TheTapesOfOneStepAndATrainersEvaluationShareOneArena()
    {
        var config = new TrainConfig { Data = "bars:n=200", Model = ModelSpec.Parse("cnn:4,8,fc=16"), Epochs = 1, BatchSize = 64, Validation = 0, Seed = 1 };
        var job = TrainingJob.Create(config);
        job.Run();                                                 // batches of 64 and a last one of 8
        var tapes = job.Trainer.CapturedStep.Memory.ToList();
        Assert.Equal(2, tapes.Count);
        long arena = job.Trainer.CapturedStep.Arena.Bytes;
        Assert.Equal(tapes.Max(t => t.Arena), arena);
        Assert.True(arena < tapes[0].Planned, $"an arena of {arena} bytes for {tapes[0].Planned} bytes of planned buffers");
        job.EvaluateTest();                                        // its forward tapes are smaller: the arena does not grow
        Assert.Equal(arena, job.Trainer.CapturedStep.Arena.Bytes);
    }
}
