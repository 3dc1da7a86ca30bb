using Descent.Data;
using Descent.Kernels;
using Descent.Nn;
using Descent.Optim;
using Descent.Training;

namespace Descent.Tests.Training;

/// <summary>
/// The exponential moving average of the weights (<see cref="WeightAverage"/>, <c>--ema</c>): the formula and its warm-up
/// against a hand computation, the BatchNorm buffers averaged too, a swap that puts every bit back, and training with it
/// bitwise the same on 1 and 2 threads and after a resume.
/// </summary>
[Collection("Threading")]
public class WeightAverageTests
{
    /// <summary>A Linear(1, 1) with weight <paramref name="w"/> and bias 2w, then a BatchNorm1d(1) (running_mean 0, running_var 1).</summary>
    private static Sequential Tiny(DType dtype) => new(new Linear(1, 1, new Rng(0), dtype: dtype), new BatchNorm1d(1, dtype: dtype));

    private static void Set(Sequential model, double w)
    {
        var state = model.StateDict();
        state["0.weight"].CopyFrom(Tensor.Full(w, state["0.weight"].DType, 1, 1));
        state["0.bias"].CopyFrom(Tensor.Full(2 * w, state["0.bias"].DType, 1));
    }

    private static double Value(IReadOnlyDictionary<string, Tensor> state, string name) =>
        state[name].DType == DType.Float32 ? state[name].Floats[0] : state[name].Doubles[0];

    [Theory]
    [InlineData(DType.Float64, 1e-15)]
    [InlineData(DType.Float32, 1e-6)]
    public void UpdateIsTheFormulaWithItsWarmUp(DType dtype, double tolerance)
    {
        var model = Tiny(dtype);
        Set(model, 1);
        var average = new WeightAverage(model, 0.9);   // ŵ starts at w = 1
        Set(model, 2);
        average.Update(0);   // d_0 = min(0.9, 1/10) = 0.1: ŵ = 0.1·1 + 0.9·2 = 1.9
        Assert.Equal(1.9, Value(average.Averages, "0.weight"), tolerance);
        Assert.Equal(3.8, Value(average.Averages, "0.bias"), tolerance);
        Set(model, 3);
        average.Update(1);   // d_1 = min(0.9, 2/11): ŵ = (2/11)·1.9 + (9/11)·3 = 30.8/11 = 2.8
        Assert.Equal(2.8, Value(average.Averages, "0.weight"), tolerance);
        Set(model, 5);
        average.Update(1000);   // past the warm-up, d = 0.9: ŵ = 0.9·2.8 + 0.1·5 = 3.02
        Assert.Equal(3.02, Value(average.Averages, "0.weight"), tolerance);
        Assert.Equal(6.04, Value(average.Averages, "0.bias"), tolerance);
        Assert.Equal(5, Value(model.StateDict(), "0.weight"), tolerance);   // the model's own weights are left alone
    }

    [Fact]
    public void WarmUpReachesTheDecayAfterItsStepCount()
    {
        Assert.Equal(0.1, WeightAverage.DecayAt(0.999, 0), 15);
        Assert.Equal(0.5, WeightAverage.DecayAt(0.999, 8), 15);
        Assert.True(WeightAverage.DecayAt(0.999, 8989) < 0.999);
        Assert.Equal(0.999, WeightAverage.DecayAt(0.999, 8990), 15);
        Assert.Equal(0.99, WeightAverage.DecayAt(0.99, 100_000));
    }

    [Fact]
    public void BatchNormRunningStatisticsAreAveragedToo()
    {
        var model = Tiny(DType.Float64);
        var average = new WeightAverage(model, 0.9);
        Assert.Contains("1.running_mean", average.Averages.Keys);
        Assert.Contains("1.running_var", average.Averages.Keys);
        model.StateDict()["1.running_mean"].CopyFrom(Tensor.Full(10, DType.Float64, 1));
        average.Update(0);   // 0.1·0 + 0.9·10
        Assert.Equal(9, Value(average.Averages, "1.running_mean"), 1e-15);
    }

    [Fact]
    public void SwapTwicePutsEveryBitBackAndCopyToModelOverwrites()
    {
        var model = Tiny(DType.Float32);
        Set(model, 1);
        var average = new WeightAverage(model, 0.5);
        Set(model, 1.0 / 3);
        average.Update(7);   // ŵ = ½·1 + ½·⅓
        var live = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var averaged = average.Averages.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        average.Swap();
        foreach (var (name, t) in model.StateDict()) Assert.True(t.BitwiseEquals(averaged[name]), name);
        average.Swap();
        foreach (var (name, t) in model.StateDict()) Assert.True(t.BitwiseEquals(live[name]), name);
        average.CopyToModel();
        foreach (var (name, t) in model.StateDict()) Assert.True(t.BitwiseEquals(averaged[name]), name);
    }

    private static TrainConfig Bars(int epochs) => new()
    {
        Data = "bars:n=512", Model = ModelSpec.Parse("cnn:4,8,fc=16"), Epochs = epochs, BatchSize = 64,
        Optimizer = OptimizerSpec.Parse("adam:lr=3e-3"), Ema = 0.9, Validation = 0.125,
    };

    [Fact]
    public void TrainingEndsWithTheAveragedWeightsAndValidatesThem()
    {
        var config = Bars(2);
        var averaged = TrainingJob.Create(config);
        var plain = TrainingJob.Create(config with { Ema = 0 });
        var average = averaged.Trainer.Average!;
        averaged.Run(); plain.Run();
        Assert.Null(plain.Trainer.Average);
        // The same steps trained the same weights; the averaged run then wrote its averages over them.
        Assert.Equal(plain.Trainer.State.History.Select(e => e.TrainLoss), averaged.Trainer.State.History.Select(e => e.TrainLoss));
        Assert.NotEqual(plain.Trainer.State.History[^1].ValidationLoss, averaged.Trainer.State.History[^1].ValidationLoss);
        foreach (var (name, t) in averaged.Model.StateDict()) Assert.True(t.BitwiseEquals(average.Averages[name]), name);
        Assert.False(averaged.Model.StateDict()["0.weight"].BitwiseEquals(plain.Model.StateDict()["0.weight"]));
    }

    [Fact]
    public void OneAndTwoThreadsGiveBitwiseTheSameAverages()
    {
        TestSupport.TrainedOnOneAndTwoThreads(Bars(1) with { Data = "bars:n=256,size=16", Model = ModelSpec.Parse("cnn:16,32,fc=32") });
    }

    [Fact]
    public void ResumedAveragedRunEndsBitwiseEqualToUninterruptedRun()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-ema-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = Bars(3);
            var (whole, first, resumed) = TestSupport.WholeAndResumed(config, dir, stopAfter: 0);
            Assert.Equal(0.9, resumed.Config.Ema);
            // The checkpoint's model file holds the averages; the weights being trained come back from beside the optimizer state.
            var saved = Descent.Serialization.Checkpoint.Load(dir).Model;
            foreach (var (name, t) in first.Model.StateDict()) Assert.True(t.BitwiseEquals(saved[name]), name);   // `first` ended with its averages
            foreach (var (name, t) in resumed.Trainer.Average!.Averages) Assert.True(t.BitwiseEquals(saved[name]), name);
            Assert.False(resumed.Model.StateDict()["0.weight"].BitwiseEquals(saved["0.weight"]));
            resumed.Run();
            foreach (var (name, t) in whole.Model.StateDict())
                Assert.True(t.BitwiseEquals(resumed.Model.StateDict()[name]), $"{name} differs after resume");
            Assert.Equal(whole.Trainer.State.History.Select(e => e.ValidationLoss), resumed.Trainer.State.History.Select(e => e.ValidationLoss));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ConfigCarriesTheDecayAndOldConfigsHaveNone()
    {
        var config = Bars(1);
        string json = config.ToJson();
        Assert.Contains("\"ema\":0.9", json);
        Assert.Equal(config, TrainConfig.FromJson(json));
        Assert.Equal(0, TrainConfig.FromJson(json.Replace("\"ema\":0.9,", "")).Ema);
        foreach (double bad in new[] { 1, -0.5, double.NaN })
            Assert.Contains("ema decay must be in [0, 1)", Assert.Throws<ArgumentException>(() => (config with { Ema = bad }).Validate()).Message);
    }
}
