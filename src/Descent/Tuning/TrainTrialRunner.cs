using System.Globalization;
using Descent.Data;
using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Schedules;
using Descent.Serialization;
using Descent.Training;

namespace Descent.Tuning;

/// <summary>
/// The objective of <c>descent tune</c> on a real model: each trial is a <see cref="TrainingJob"/> built from the
/// <c>descent train</c> defaults with the trial's hyperparameters, a 10% validation split, and the validation loss
/// reported after every epoch (so pruners can stop it). The data set is loaded once and shared by all trials.
/// </summary>
/// <remarks>
/// Parameter names are <c>descent train</c>'s option names without dashes: <c>lr</c>, <c>momentum</c> (β₁ for Adam/AdamW,
/// momentum for SGD/RMSprop), <c>hidden</c> (an integer H means hidden widths [H, H/2], the default's shape; a text
/// "256,128" means those widths), <c>batch-size</c>, <c>dropout</c>, <c>weight-decay</c>, <c>l2</c>, <c>activation</c>,
/// <c>init</c>, <c>optimizer</c>, <c>schedule</c>, <c>clip-norm</c>, <c>label-smoothing</c>, <c>batchnorm</c>, <c>epochs</c>;
/// for a convolutional network (<paramref name="model"/> a <c>cnn</c>): <c>channels</c> (an integer C means [C, 2C], the
/// default's shape; a text "16,32,64" means those), <c>fc</c>, <c>kernel</c>, <c>dropout</c>, <c>batchnorm</c>; and
/// <c>model</c>, a whole model as text (a categorical of e.g. "mlp:256,128" and "cnn:16,32").
/// An unknown name is an error that lists these.
/// </remarks>
/// <param name="data">The data set (<see cref="DatasetSpec"/>).</param>
/// <param name="epochs">Epochs per trial.</param>
/// <param name="validation">The validation share held out of the training set.</param>
/// <param name="model">The model the trials start from (null: <c>descent train</c>'s default MLP).</param>
public sealed class TrainTrialRunner(string data, int epochs, double validation = 0.1, ModelSpec? model = null) : ITrialRunner
{
    private static readonly string[] Known =
        ["lr", "momentum", "hidden", "batch-size", "dropout", "weight-decay", "l2", "activation", "init", "optimizer", "schedule",
         "clip-norm", "label-smoothing", "batchnorm", "epochs", "channels", "fc", "kernel", "model"];

    private static readonly string[] MlpOnly = ["hidden", "activation", "init"];
    private static readonly string[] CnnOnly = ["channels", "fc", "kernel"];

    private readonly Lazy<DatasetPair> _data = new(() => DatasetSpec.Load(data, 0), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The space searched when none is given: the learning rate alone, log-uniform on [1e-5, 1] — the notes' first
    /// and most important hyperparameter, on the scale where its effect is even.
    /// </summary>
    public static SearchSpace DefaultSpace => new SearchSpace().Add("lr", new LogUniformDistribution(1e-5, 1));

    /// <inheritdoc/>
    public string Metric => "val_loss";

    /// <inheritdoc/>
    public Direction Direction => Direction.Minimize;

    /// <summary>The training config of a trial: the defaults of <c>descent train</c> changed by the trial's parameters.</summary>
    public TrainConfig ConfigFor(TrialParameters p, ulong seed, int threads)
    {
        var c = new TrainConfig { Data = data, Epochs = epochs, Validation = validation, Seed = seed, Threads = threads };
        if (model is not null) c = c with { Model = model };
        if (p.Has("model")) c = c with { Model = ModelSpec.Parse(p.GetString("model")) };
        foreach (var name in p.Values.Keys)
        {
            if (!Known.Contains(name)) throw new ArgumentException($"search space: '{name}' is not a train option the tuner knows; use {string.Join(", ", Known)}.");
            if (MlpOnly.Contains(name) && c.Model is not MlpSpec) throw new ArgumentException($"search space: '{name}' changes an mlp model, but the trials train '{c.Model}'.");
            if (CnnOnly.Contains(name) && c.Model is not CnnSpec) throw new ArgumentException($"search space: '{name}' changes a cnn model, but the trials train '{c.Model}'; start from one with --model cnn.");
            if (name is "dropout" or "batchnorm" && c.Model is not (MlpSpec or CnnSpec)) throw new ArgumentException($"search space: '{name}' changes an mlp or cnn model, but the trials train the layer list '{c.Model}'.");
        }
        if (p.Has("optimizer")) c = c with { Optimizer = OptimizerSpec.Parse(p.GetString("optimizer")) };
        if (p.Has("lr")) c = c with { Optimizer = c.Optimizer with { Lr = p.GetDouble("lr") } };
        if (p.Has("momentum"))
            c = c with { Optimizer = c.Optimizer.Name is "adam" or "adamw" ? c.Optimizer with { Beta1 = p.GetDouble("momentum") } : c.Optimizer with { Momentum = p.GetDouble("momentum") } };
        if (p.Has("batch-size")) c = c with { BatchSize = p.GetInt("batch-size") };
        if (p.Has("weight-decay")) c = c with { WeightDecay = p.GetDouble("weight-decay") };
        if (p.Has("l2")) c = c with { L2 = p.GetDouble("l2") };
        if (p.Has("schedule")) c = c with { Schedule = ScheduleSpec.Parse(p.GetString("schedule")) };
        if (p.Has("clip-norm")) c = c with { ClipNorm = p.GetDouble("clip-norm") };
        if (p.Has("label-smoothing")) c = c with { Loss = LossSpec.CrossEntropy with { LabelSmoothing = p.GetDouble("label-smoothing") } };
        if (p.Has("epochs")) c = c with { Epochs = p.GetInt("epochs") };
        return c.Model switch
        {
            MlpSpec mlp => c with { Model = MlpParameters(mlp, p) },
            CnnSpec cnn => c with { Model = CnnParameters(cnn, p) },
            _ => c,
        };
    }

    /// <summary>The MLP's own parameters.</summary>
    private static MlpSpec MlpParameters(MlpSpec mlp, TrialParameters p)
    {
        if (p.Has("hidden"))
        {
            var v = p.Values["hidden"];
            mlp = mlp with { Hidden = v is string s ? s.Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() : [p.GetInt("hidden"), Math.Max(1, p.GetInt("hidden") / 2)] };
        }
        if (p.Has("dropout")) mlp = mlp with { Dropout = p.GetDouble("dropout") };
        if (p.Has("activation")) mlp = mlp with { Activation = p.GetString("activation") };
        if (p.Has("init")) mlp = mlp with { Init = p.GetString("init") };
        if (p.Has("batchnorm")) mlp = mlp with { BatchNorm = p.GetString("batchnorm") is "true" or "1" or "True" };
        return mlp.Checked();
    }

    /// <summary>The CNN's own parameters.</summary>
    private static ModelSpec CnnParameters(CnnSpec cnn, TrialParameters p)
    {
        if (p.Has("channels"))
        {
            var v = p.Values["channels"];
            cnn = cnn with { Channels = v is string s ? s.Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() : [p.GetInt("channels"), 2 * p.GetInt("channels")] };
        }
        if (p.Has("fc")) cnn = cnn with { Fc = p.GetInt("fc") };
        if (p.Has("kernel")) cnn = cnn with { Kernel = p.GetInt("kernel") };
        if (p.Has("dropout")) cnn = cnn with { Dropout = p.GetDouble("dropout") };
        if (p.Has("batchnorm")) cnn = cnn with { BatchNorm = p.GetString("batchnorm") is "true" or "1" or "True" };
        return ModelSpec.Parse(cnn.ToString());   // checked as its text form is
    }

    /// <summary>
    /// Every name must be a known train option, and each end of every range (each choice of a categorical) must make a
    /// valid run: the config's ranges, the optimizer, initializer and schedule text forms and the activation are checked.
    /// </summary>
    public void CheckSpace(SearchSpace space)
    {
        foreach (var name in space.Names)
            if (!Known.Contains(name)) throw new ArgumentException($"search space: '{name}' is not a train option the tuner knows; use {string.Join(", ", Known)}.");
        foreach (var (name, distribution) in space.Parameters)
        {
            var values = distribution is CategoricalDistribution c ? c.Choices : [distribution.FromUnit(0), distribution.FromUnit(1)];
            foreach (var value in values)
            {
                try { CheckConfig(ConfigFor(new TrialParameters(new Dictionary<string, object> { [name] = value }), 0, 0)); }
                catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
                {
                    throw new ArgumentException($"search space: {name} = {SearchSpace.FormatValue(value)} cannot be trained: {e.Message}", e);
                }
            }
        }
    }

    private static void CheckConfig(TrainConfig c)
    {
        c.Validate();
        c.Optimizer.Validate();
        TrainingJob.WithCosineLength(c.Schedule, c.Epochs)?.Policy(c.Optimizer.LearningRate);
        _ = c.Model.Layers;   // the model's text form expands (an unknown activation or initializer is an error here)
    }

    /// <inheritdoc/>
    public double Run(TrialContext ctx)
    {
        var config = ConfigFor(ctx.Parameters, ctx.Seed, ctx.Threads);
        var job = ctx.ResumeFrom is not null && Checkpoint.Exists(ctx.ResumeFrom)
            ? TrainingJob.Resume(ctx.ResumeFrom, _data.Value, saved => saved with { Optimizer = config.Optimizer, Epochs = Math.Max(saved.Epochs, config.Epochs) })
            : TrainingJob.Create(config, _data.Value);
        double last = double.NaN;
        job.Trainer.EpochCompleted += e =>
        {
            last = e.ValidationLoss;
            if (ctx.CheckpointPath is not null) job.SaveCheckpoint(ctx.CheckpointPath);
            if (ctx.Report(e.Epoch + 1, e.ValidationLoss) == TrialDecision.Prune) job.Trainer.RequestStop();
        };
        try
        {
            job.Run(ctx.Cancellation);
        }
        catch (DivergenceException)
        {
            return double.PositiveInfinity;   // a diverged trial is the worst possible, not a failure of the study
        }
        catch (OperationCanceledException)
        {
        }
        return last;
    }
}
