using Descent.Data;
using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Training;

namespace Descent.Cli;

/// <summary>
/// Process tuning of <c>descent train</c>, kept out of the library: while the data set loads, the training step's
/// code is compiled on another core (a throwaway model with the same kinds of layers takes two steps), so the first
/// real step does not wait for the JIT; and the loader's large temporary buffers are returned before training starts.
/// </summary>
internal static class JitWarmUp
{
    /// <summary>
    /// Builds the job of <paramref name="config"/> (the data set loads) while the warm-up compiles on another core, then
    /// returns the loader's buffers: what <c>train</c> and <c>bench mlp</c> both do before their first step.
    /// </summary>
    public static TrainingJob CreateJob(TrainConfig config, DataShard? shard = null)
    {
        config.Validate();
        var warmUp = Start(config);
        TrainingJob job;
        try { job = TrainingJob.Create(config, shard: shard); }
        finally { Finish(warmUp); }
        ReleaseLoadBuffers();
        return job;
    }

    /// <summary>Starts the warm-up for a run of <paramref name="config"/>; touches no shared state.</summary>
    public static Task Start(TrainConfig config) => Task.Run(() => TwoSteps(config));

    /// <summary>
    /// Waits for the warm-up. Its failure is dropped on purpose: it only saves compile time, and a setting that makes
    /// it fail (a rate that diverges, say) is reported by the real run with its own message.
    /// </summary>
    public static void Finish(Task warmUp)
    {
        try { warmUp.Wait(); }
        catch (AggregateException) { }
    }

    /// <summary>Compacts the heap once: loading left large compressed and raw byte buffers behind.</summary>
    public static void ReleaseLoadBuffers()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
    }

    private static void TwoSteps(TrainConfig config)
    {
        var dtype = config.DType == "float64" ? DType.Float64 : DType.Float32;
        var rng = new Rng(0x3A93);
        // The run's kinds of layers on small examples: [8] → [4], or images [1, s, s] large enough for every pooling layer.
        var layers = config.Model.Layers.List;
        int pools = layers.Count(l => l is PoolLayer or ConvLayer { Stride: > 1 });
        int[] shape = layers.Any(l => l is ConvLayer or PoolLayer or AdaptivePoolLayer) ? [1, Math.Min(64, 4 << pools), Math.Min(64, 4 << pools)] : [8];
        int d = Shape.Numel(shape);
        var model = config.Model.Build(shape, 4, rng, dtype);
        var optimizer = config.Optimizer.Create(model.Parameters);
        var loss = (config.Loss ?? LossSpec.CrossEntropy).Create();
        if (!loss.IsClassification) loss = LossSpec.CrossEntropy.Create();   // the warm-up's data has labels
        var trainer = new Trainer(model, optimizer, options: new TrainerOptions { Epochs = 1 }, loss: loss);
        var x = Tensor.Normal(rng, 0, 1, DType.Float32, 32, d);   // [32, d]
        var labels = new int[32];
        for (int i = 0; i < labels.Length; i++) labels[i] = i % 4;
        var data = new Dataset("warm-up", x.ToArray<float>(), labels, shape, ["a", "b", "c", "d"]);
        trainer.Fit(new DataLoader(data, batchSize: 16, shuffle: false, dtype: dtype));   // two steps and an epoch's bookkeeping
    }
}
