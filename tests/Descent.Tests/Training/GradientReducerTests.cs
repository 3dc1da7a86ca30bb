using Descent.Data;
using Descent.Nn;
using Descent.Training;

namespace Descent.Tests.Training;

/// <summary>The trainer's one data-parallel hook (<see cref="Trainer.GradientReducer"/>), without MPI: what it is given and where.</summary>
public class GradientReducerTests
{
    /// <summary>Records each call: this shard's share of the global batch, and whether backward had set every gradient.</summary>
    private sealed class Recorder : IGradientReducer
    {
        public List<double> Shares { get; } = [];
        public bool GradientsSet { get; private set; } = true;

        public (double Loss, int Correct) Reduce(IReadOnlyList<Tensor> parameters, double share, double loss, int correct)
        {
            Shares.Add(share);
            GradientsSet &= parameters.All(p => p.Grad is not null);
            return (loss, correct);
        }
    }

    [Fact]
    public void EachStepGivesTheShardsShareOfTheGlobalBatchAfterBackward()
    {
        // 100 rows in batches of 32: 32, 32, 32, 4; rank 1 of 3 takes rows [10, 21) of a batch of 32 and [1, 2) of the last one.
        var job = TrainingJob.Create(new TrainConfig { Data = "blobs:n=100,classes=3", Model = ModelSpec.Parse("mlp:8"), BatchSize = 32, Epochs = 1, Validation = 0 },
            shard: new DataShard(1, 3));
        var recorder = new Recorder();
        job.Trainer.GradientReducer = recorder;
        job.Run();
        Assert.Equal([11 / 32.0, 11 / 32.0, 11 / 32.0, 1 / 4.0], recorder.Shares);
        Assert.True(recorder.GradientsSet);
        Assert.Equal(4, job.Trainer.State.Step);
    }

    [Fact]
    public void WithoutAReducerAShardedLoaderIsNotNeededAndStepsAreUnchanged()
    {
        var config = new TrainConfig { Data = "blobs:n=100,classes=3", Model = ModelSpec.Parse("mlp:8"), BatchSize = 32, Epochs = 1, Validation = 0 };
        var plain = TrainingJob.Create(config);
        var whole = TrainingJob.Create(config, shard: DataShard.Whole);
        var recorder = new Recorder();
        whole.Trainer.GradientReducer = recorder;   // one rank: share 1, the reducer returns what it is given
        plain.Run();
        whole.Run();
        Assert.All(recorder.Shares, s => Assert.Equal(1.0, s));
        foreach (var (name, w) in plain.Model.StateDict())
            Assert.Equal(w.ToArray(), whole.Model.StateDict()[name].ToArray());
    }
}
