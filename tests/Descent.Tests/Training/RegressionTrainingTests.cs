using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Training;

namespace Descent.Tests.Training;

public class RegressionTrainingTests
{
    private static TrainConfig Sine(int epochs = 40) => new()
    {
        Data = "sine:n=1000",
        Model = ModelSpec.Parse("mlp:64,64,act=tanh"),
        Loss = LossSpec.Mse,
        Optimizer = OptimizerSpec.Parse("adam:lr=0.01"),
        BatchSize = 32,
        Epochs = epochs,
        Seed = 4,
    };

    [Fact]
    public void MseOnSineFitsTheCurve()
    {
        var job = TrainingJob.Create(Sine());
        var result = job.Run();
        var test = job.EvaluateTest();
        var reg = test.Regression!;
        // noise 0.1 on sin: the best possible RMSE is 0.1 and R² ≈ 1 − 0.01/0.5 = 0.98.
        Assert.True(reg.R2 > 0.95, $"test R² {reg.R2}");
        Assert.True(reg.Rmse < 0.15, $"test RMSE {reg.Rmse}");
        Assert.Equal(reg.Rmse * reg.Rmse, test.Loss, 5);                   // mse is the mean squared error
        Assert.True(double.IsNaN(test.Accuracy));
        Assert.True(result.Epochs[^1].TrainR2 > result.Epochs[0].TrainR2);
        Assert.True(double.IsNaN(result.Epochs[^1].TrainAccuracy));
    }

    [Fact]
    public void Float64ModelIsEvaluatedOnFloat32Features()
    {
        var job = TrainingJob.Create(Sine(1) with { DType = "float64", Validation = 0.2 });
        var result = job.Run();
        Assert.False(double.IsNaN(result.Epochs[0].ValidationRmse));
        Assert.True(job.EvaluateTest().Regression!.Rmse > 0);
    }

    [Fact]
    public void RegressionMetricsFollowTheirFormulas()
    {
        var acc = new RegressionAccumulator(1);
        acc.Add(Tensor.From(new double[] { 1, 2 }, 2, 1), Tensor.From(new double[] { 1, 2 }, 2, 1));
        acc.Add(Tensor.From(new double[] { 3 }, 1, 1), Tensor.From(new double[] { 4 }, 1, 1));
        var m = acc.Result();
        Assert.Equal(Math.Sqrt(1.0 / 3), m.Rmse, 12);
        Assert.Equal(1.0 / 3, m.Mae, 12);
        Assert.Equal(1 - 1 / (42.0 / 9), m.R2, 12);                          // SST of (1, 2, 4) = 42/9
    }

    [Fact]
    public void ClassificationIsRejectedForRegressionTargets()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingJob.Create(Sine(1) with { Loss = LossSpec.CrossEntropy }));
        Assert.Equal("--loss cross-entropy needs class labels, but 'sine:n=1000' has regression targets (y); use --loss mse or half-sse.", e.Message);
    }

    [Fact]
    public void ValueLossTrainsAClassifierOnOneHotLabels()
    {
        var job = TrainingJob.Create(new TrainConfig
        {
            Data = "moons:n=600,noise=0.1", Model = ModelSpec.Parse("mlp:32,32"), Loss = LossSpec.Parse("half-sse"),
            Optimizer = OptimizerSpec.Parse("adam:lr=0.01"), BatchSize = 32, Epochs = 20, Seed = 3,
        });
        job.Run();
        Assert.True(job.EvaluateTest().Accuracy > 0.95, $"accuracy {job.EvaluateTest().Accuracy}");
    }

    [Fact]
    public void ResumedRegressionAndLayerListModelEndBitwiseEqual()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-regression-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = Sine(4) with { Model = ModelSpec.Parse("linear:32 bn tanh residual(linear:32 relu) linear") };
            var (whole, _, resumed) = TestSupport.WholeAndResumed(config, dir, stopAfter: 1);
            Assert.Equal(config.Model, resumed.Config.Model);
            resumed.Run();
            foreach (var (name, t) in whole.Model.StateDict()) Assert.True(t.BitwiseEquals(resumed.Model.StateDict()[name]), name);
            Assert.Equal(whole.Trainer.State.History[^1].TrainRmse, resumed.Trainer.State.History[^1].TrainRmse);
            resumed.SaveCheckpoint(dir);
            var trained = TrainedModel.Load(dir);
            Assert.True(trained.IsRegression);
            var x = resumed.Test.Features.AsSpan(0, 5).ToArray();   // raw = normalized here would differ, so compare through the same path
            Assert.Equal([5, 1], trained.Predict(x, 5).ShapeArray);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
