using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Schedules;
using Descent.Training;

namespace Descent.Tests.Training;

public class TrainConfigTests
{
    [Fact]
    public void SpecsAreTheirCanonicalTextInJsonAndComeBackEqual()
    {
        var config = new TrainConfig
        {
            Model = ModelSpec.Parse("mlp:512x4,residual=true,bn=true"),
            Loss = LossSpec.Parse("ce:label_smoothing=0.1"),
            Optimizer = OptimizerSpec.Parse("sgd:lr=0.1,nesterov=true,momentum=0.9"),
            Schedule = ScheduleSpec.Parse("warmup:steps=5+cosine:tmax=45"),
        };
        string json = config.ToJson();
        Assert.Contains("\"model\":\"mlp:512x4,bn=true,residual=true\"", json);
        Assert.Contains("\"loss\":\"cross-entropy:label_smoothing=0.1\"", json);
        Assert.Contains("\"optimizer\":\"sgd:lr=0.1,momentum=0.9,nesterov=true\"", json);
        Assert.Contains("\"schedule\":\"warmup:steps=5+cosine:tmax=45\"", json);
        Assert.Equal(config, TrainConfig.FromJson(json));
        var defaults = TrainConfig.FromJson(new TrainConfig().ToJson());
        Assert.Equal("mlp:256,128", defaults.Model.ToString());
        Assert.Null(defaults.Loss);
    }

    [Fact]
    public void ConfigBeforeTheModelTextFormReadsAsTheSameMlp()
    {
        var old = """{"data":"xor","hidden":[64,32],"activation":"tanh","init":"xavier","optimizer":"adam:lr=1e-3","schedule":"cosine","batch_norm":true,"dropout":0.1,"label_smoothing":0.05,"epochs":3}""";
        var c = TrainConfig.FromJson(old);
        Assert.Equal("mlp:64,32,act=tanh,bn=true,dropout=0.1,init=xavier", c.Model.ToString());
        Assert.Equal("cross-entropy:label_smoothing=0.05", c.Loss!.ToString());
        Assert.Equal("adam:lr=0.001", c.Optimizer.ToString());
    }

    [Fact]
    public void OptimizerAndScheduleChangeWithWith()
    {
        var adam = OptimizerSpec.Parse("adam:lr=1e-3");
        Assert.Equal("adam:lr=0.001,weight_decay=0.01", (adam with { WeightDecay = 0.01 }).ToString());
        Assert.Equal(0.5, (adam with { Lr = 0.5 }).LearningRate);
        var e = Assert.Throws<ArgumentException>(() => (adam with { Nesterov = true }).Validate());
        Assert.Equal("optimizer 'adam:lr=0.001,nesterov=true': unknown key 'nesterov' for adam; accepted: lr, beta1, beta2, eps, weight_decay, amsgrad.", e.Message);

        var cosine = ScheduleSpec.Parse("cosine");
        Assert.Contains("cosine needs tmax=N", Assert.Throws<ArgumentException>(() => cosine.Create()).Message);
        var part = cosine.Parts[0];
        var ten = cosine with { Parts = [part with { Keys = part.Keys.SetItem("tmax", "10") }] };
        Assert.Equal("cosine:tmax=10", ten.ToString());
        Assert.Equal(0.05, ten.LearningRate(0.1, 5), 12);
        Assert.True(ScheduleSpec.Parse("plateau:patience=2").IsPlateau);
    }

    [Fact]
    public void TrainingDocExampleRuns()
    {
        // doc:config begin
        var config = new TrainConfig { Data = "sine", Model = ModelSpec.Parse("mlp:64,32,act=tanh"), Loss = LossSpec.Mse };
        config = config with { Optimizer = config.Optimizer with { Lr = 0.01 }, Epochs = 40 };
        var job = TrainingJob.Create(config);   // state.json stores "model": "mlp:64,32,act=tanh", "optimizer": "adam:lr=0.01"
        // doc:config end
        Assert.Contains("\"model\":\"mlp:64,32,act=tanh\"", job.Config.ToJson());
        Assert.Contains("\"optimizer\":\"adam:lr=0.01\"", job.Config.ToJson());
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "training.md")).Replace("\r", "");
        var lines = File.ReadAllLines(ThisFile()).SkipWhile(l => l.Trim() != "// doc:config begin").Skip(1).TakeWhile(l => l.Trim() != "// doc:config end");
        foreach (var line in lines) Assert.Contains(line.Trim(), doc);
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    internal static string RepoRoot() => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", ".."));

    [Fact]
    public void WeightDecayGoesIntoTheOptimizerRecord()
    {
        var job = TrainingJob.Create(new TrainConfig { Data = "xor:n=64", Model = ModelSpec.Parse("mlp:8"), Epochs = 1, BatchSize = 16, WeightDecay = 0.25 });
        Assert.Equal(0.25, Assert.IsType<Adam>(job.Optimizer).WeightDecay);
        var twice = new TrainConfig { Data = "xor:n=64", BatchSize = 16, Optimizer = OptimizerSpec.Parse("adam:weight_decay=0.1"), WeightDecay = 0.25 };
        Assert.Contains("weight decay is given twice", Assert.Throws<ArgumentException>(() => TrainingJob.Create(twice)).Message);
    }
}
