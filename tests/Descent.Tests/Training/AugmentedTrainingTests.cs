using Descent.Data;
using Descent.Kernels;
using Descent.Nn;
using Descent.Optim;
using Descent.Training;

namespace Descent.Tests.Training;

/// <summary>
/// Augmented training: each batch's augmentation is a pure function of (seed, epoch, batch), so runs are bitwise the same
/// on 1 and 2 threads and after a resume; the setting travels in the config. Data: the synthetic line images (bars, [1, 12, 12]).
/// </summary>
[Collection("Threading")]
public class AugmentedTrainingTests
{
    private static TrainConfig Bars(int epochs, string model = "cnn:4,8,fc=16") => new()
    {
        Data = "bars:n=512", Model = ModelSpec.Parse(model), Epochs = epochs, BatchSize = 64, Optimizer = OptimizerSpec.Parse("adam:lr=3e-3"),
        Augment = Augmentation.Parse("shift:1"),   // a flip would turn a bar's slant around (and its class)
    };

    private static Dataset Images() => DatasetSpec.Load("bars:n=300", 0).Train;

    private static float[] BatchOf(DataLoader loader, int epoch, int index, int skip = 0)
    {
        foreach (var b in loader.Batches(epoch, skip))
            if (b.Index == index) return b.X.Floats.ToArray();
        throw new InvalidOperationException($"no batch {index}");
    }

    [Fact]
    public void AugmentedBatchIsAFunctionOfSeedEpochAndBatch()
    {
        var aug = Augmentation.Parse("flip,shift:2");
        var fill = Enumerable.Repeat(-0.5f, 144).ToArray();
        var whole = new DataLoader(Images(), 32, seed: 4, augment: aug, fill: fill);
        var skipped = new DataLoader(Images(), 32, seed: 4, augment: aug, fill: fill);
        var plain = new DataLoader(Images(), 32, seed: 4);
        var a = BatchOf(whole, 2, 5);
        Assert.Equal(a, BatchOf(skipped, 2, 5, skip: 5));                  // a resume mid-epoch sees the same images
        Assert.Equal(a, BatchOf(whole, 2, 5));                             // and so does the epoch run again
        Assert.NotEqual(a, BatchOf(plain, 2, 5));
        Assert.NotEqual(a, BatchOf(new DataLoader(Images(), 32, seed: 5, augment: aug, fill: fill), 2, 5));
        Assert.Contains(-0.5f, a);                                          // pixels shifted in are the fill
    }

    [Fact]
    public void AugmentedLoaderSteadyStateAllocatesNothing()
    {
        var loader = new DataLoader(Images(), 32, seed: 4, augment: Augmentation.Parse("flip,shift:2"));
        for (int warm = 0; warm < 2; warm++) { loader.StartEpoch(warm); while (loader.Next(out _)) { } }
        loader.StartEpoch(3);
        long before = GC.GetAllocatedBytesForCurrentThread();
        while (loader.Next(out _)) { }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void OneAndTwoThreadsGiveBitwiseTheSameAugmentedCnn()
    {
        var config = Bars(1, "cnn:16,32,fc=32") with { Data = "bars:n=256,size=16", Augment = Augmentation.Parse("flip,shift:2") };
        var (one, _) = TestSupport.TrainedOnOneAndTwoThreads(config);
        var plain = TrainingJob.Create(config with { Augment = null }); plain.Run();
        Assert.NotEqual(one.Trainer.State.History[0].TrainLoss, plain.Trainer.State.History[0].TrainLoss);   // augmentation did something
    }

    [Fact]
    public void ResumedAugmentedRunEndsBitwiseEqualToUninterruptedRun()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-aug-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = Bars(3);
            var (whole, _, resumed) = TestSupport.WholeAndResumed(config, dir, stopAfter: 0);
            Assert.Equal(config.Augment, resumed.Config.Augment);
            Assert.Equal(config.Augment, resumed.Loader.Augmentation);
            resumed.Run();
            foreach (var (name, t) in whole.Model.StateDict())
                Assert.True(t.BitwiseEquals(resumed.Model.StateDict()[name]), $"{name} differs after resume");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ConfigCarriesTheAugmentationAndOldConfigsHaveNone()
    {
        var config = Bars(1) with { Augment = Augmentation.Parse("shift:2,flip") };
        string json = config.ToJson();
        Assert.Contains("\"augment\":\"flip,shift:2\"", json);
        Assert.Equal(config, TrainConfig.FromJson(json));
        Assert.Null(TrainConfig.FromJson(json.Replace("\"augment\":\"flip,shift:2\",", "")).Augment);
        Assert.Contains("\"augment\":null", new TrainConfig().ToJson());
        var bad = Assert.Throws<InvalidDataException>(() => TrainConfig.FromJson(json.Replace("flip,shift:2", "flop")));
        Assert.Contains("'flop' is not an augmentation", bad.Message);
    }
}
