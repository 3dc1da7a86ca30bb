using System.Text;
using Descent.Init;
using Descent.Optim;
using Descent.Schedules;
using Descent.Tuning;
using FsCheck;
using FsCheck.Fluent;

namespace Descent.Tests.Properties;

/// <summary>
/// The text forms a person types — optimizer, schedule, initializer, search space — on random strings made of their
/// own vocabulary and on mutations of valid forms: each parses or throws <see cref="ArgumentException"/> or
/// <see cref="FormatException"/> (what the command line turns into one line).
/// </summary>
public class TextForms
{
    private static readonly string[] Words =
    [
        "sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad", "cosine", "constant", "step", "exponential", "inverse-time", "plateau",
        "warmup", "linear", "onecycle", "he", "he-uniform", "xavier", "lecun", "orthogonal", "zeros", "normal", "uniform", "default",
        "lr", "beta1", "beta2", "eps", "weight_decay", "nesterov", "centered", "amsgrad", "tmax", "gamma", "size", "base", "decay", "patience",
        ":", ",", "=", ";", " ", "\"", "{", "}", "[", "]", ".", "-", "+", "true", "false", "1", "0", "-1", "0.9", "1e-3", "1e400", "NaN",
        "Infinity", "-0", "0x10", "1,5", "é", "\u0000", "\t", "∞", "type", "low", "high", "choices", "log_uniform", "int", "categorical",
        "mlp", "act", "bn", "dropout", "residual", "init", "relu", "tanh", "gelu", "flatten", "x", "256", "(", ")", "cross-entropy", "mse",
        "half-sse", "bce", "label_smoothing", "pos_weight",
    ];

    /// <summary>Strings of the forms' own words and symbols, and arbitrary text.</summary>
    public static Arbitrary<string> Noise { get; } = Gen.Frequency(
            (3, Gen.ListOf(Gen.Elements(Words)).Select(w => string.Concat(w))),
            (1, ArbMap.Default.ArbFor<string>().Generator.Select(s => s ?? "")))
        .ToArbitrary();

    /// <summary>A valid form with one character-level change.</summary>
    private static Arbitrary<string> Mutated(params string[] valid) =>
        (from text in Gen.Elements(valid)
         from m in Mutation.Arbitrary.Generator
         select Encoding.UTF8.GetString(m.Apply(Encoding.UTF8.GetBytes(text)))).ToArbitrary();

    private static bool Parses(Action parse, string text) =>
        PropertyRun.IsClear(PropertyRun.Outcome(parse), $"'{text}'", typeof(ArgumentException), typeof(FormatException));

    private static readonly string[] Optimizers = ["adam:lr=1e-3,beta1=0.9,beta2=0.999", "sgd:lr=0.1,momentum=0.9,nesterov=true", "rmsprop:centered=true", "adamw"];
    private static readonly string[] Schedules = ["cosine:tmax=10", "step:size=3,gamma=0.5", "exponential:base=0.95", "plateau:patience=2", "constant"];
    private static readonly string[] Initializers = ["he", "normal:0.01", "uniform:-0.1,0.1", "xavier-normal", "orthogonal"];
    private static readonly string[] Spaces =
    [
        """{"lr": {"type": "log_uniform", "low": 1e-4, "high": 1}, "hidden": {"type": "int", "low": 16, "high": 256, "log": true}}""",
        """{"optimizer": {"type": "categorical", "choices": ["adam", "sgd", 1, true]}, "momentum": {"type": "one_minus_log_uniform", "low": 0.5, "high": 0.999}}""",
    ];

    private static readonly string[] Models = ["mlp:256,128", "mlp:256,128,act=tanh,bn=true,dropout=0.2", "mlp:512x4,residual=true", "linear:64 tanh dropout:0.1 linear"];
    private static readonly string[] Losses = ["cross-entropy:label_smoothing=0.1", "mse", "half-sse", "bce:pos_weight=2"];

    /// <summary>A model text that parses must also build (on a small input) and print a text that parses to the same spec.</summary>
    private static void Model(string s)
    {
        var spec = Descent.Nn.ModelSpec.Parse(s);
        spec.Build([3], 2, new Rng(1));
        Assert.Equal(spec.ToString(), Descent.Nn.ModelSpec.Parse(spec.ToString()).ToString());
    }

    private static void Loss(string s) => Descent.Losses.LossSpec.Parse(s).Create();

    private static void Optimizer(string s) => OptimizerSpec.Parse(s).Create([Tensor.Zeros(2)]);

    private static void Schedule(string s)
    {
        var policy = LearningRatePolicy.Parse(s, 0.1);
        for (int e = 0; e < 5; e++) policy.At(e * 10, e);
    }

    private static void Init(string s) => Initializer.Parse(s);

    private static void Space(string s)
    {
        var space = SearchSpace.FromJson(s);
        var rng = new Rng(1);
        foreach (var (_, d) in space.Parameters) { d.Sample(rng); d.FromUnit(0.5); }
        SearchSpace.FromJson(space.ToJson());   // what it writes, it reads back
    }

    [Fact] public void OptimizerNoise() => PropertyRun.Check(Prop.ForAll(Noise, s => Parses(() => Optimizer(s), s)), 500);
    [Fact] public void OptimizerMutations() => PropertyRun.Check(Prop.ForAll(Mutated(Optimizers), s => Parses(() => Optimizer(s), s)), 300);
    [Fact] public void ScheduleNoise() => PropertyRun.Check(Prop.ForAll(Noise, s => Parses(() => Schedule(s), s)), 500);
    [Fact] public void ScheduleMutations() => PropertyRun.Check(Prop.ForAll(Mutated(Schedules), s => Parses(() => Schedule(s), s)), 300);
    [Fact] public void InitializerNoise() => PropertyRun.Check(Prop.ForAll(Noise, s => Parses(() => Init(s), s)), 500);
    [Fact] public void InitializerMutations() => PropertyRun.Check(Prop.ForAll(Mutated(Initializers), s => Parses(() => Init(s), s)), 300);
    [Fact] public void ModelNoise() => PropertyRun.Check(Prop.ForAll(Noise, s => Parses(() => Model(s), s)), 500);
    [Fact] public void ModelMutations() => PropertyRun.Check(Prop.ForAll(Mutated(Models), s => Parses(() => Model(s), s)), 300);
    [Fact] public void LossNoise() => PropertyRun.Check(Prop.ForAll(Noise, s => Parses(() => Loss(s), s)), 500);
    [Fact] public void LossMutations() => PropertyRun.Check(Prop.ForAll(Mutated(Losses), s => Parses(() => Loss(s), s)), 300);
    [Fact] public void SearchSpaceNoise() => PropertyRun.Check(Prop.ForAll(Noise, s => Parses(() => Space(s), s)), 500);
    [Fact] public void SearchSpaceMutations() => PropertyRun.Check(Prop.ForAll(Mutated(Spaces), s => Parses(() => Space(s), s)), 300);
}
