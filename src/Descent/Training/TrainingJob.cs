using System.Text.Json;
using System.Text.Json.Nodes;
using Descent.Data;
using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Regularization;
using Descent.Schedules;
using Descent.Serialization;

namespace Descent.Training;

/// <summary>
/// One training run assembled from a <see cref="TrainConfig"/>: the data (normalized on the training split),
/// the model built from its text form (<see cref="ModelSpec"/>), the loss, the optimizer, the learning-rate policy and the <see cref="Trainer"/> — and its checkpoints:
/// <see cref="SaveCheckpoint"/> after any epoch and <see cref="Resume"/> give bitwise the same end as a run
/// that was never stopped.
/// </summary>
/// <remarks>RNG streams of the seed: 1 weights (and dropout, forked from it), the loader's own per-epoch streams, the split's stream.</remarks>
public sealed class TrainingJob
{
    private const ulong WeightsStream = 1;
    private const string BestPrefix = "trainer.best.";
    private const string LivePrefix = "trainer.live.";   // with --ema: the weights being trained (the model file holds their averages)

    private TrainingJob(TrainConfig config, DatasetPair data, Dataset? validation, Normalizer? normalizer, Sequential model,
        Optimizer optimizer, Trainer trainer, DataLoader loader, LossSpec loss)
    {
        Loss = loss;
        Config = config; Train = data.Train; Test = data.Test; Validation = validation; Normalizer = normalizer;
        Model = model; Optimizer = optimizer; Trainer = trainer; Loader = loader;
    }

    /// <summary>The configuration (what a resume rebuilds from).</summary>
    public TrainConfig Config { get; }

    /// <summary>The training split (normalized).</summary>
    public Dataset Train { get; }

    /// <summary>The held-out validation split, or null.</summary>
    public Dataset? Validation { get; }

    /// <summary>The test set (normalized with the training split's statistics).</summary>
    public Dataset Test { get; }

    /// <summary>The input normalization fit on the training split, or null.</summary>
    public Normalizer? Normalizer { get; }

    /// <summary>The model.</summary>
    public Sequential Model { get; }

    /// <summary>The loss (the configured one, or the data's default).</summary>
    public LossSpec Loss { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The training loop.</summary>
    public Trainer Trainer { get; }

    /// <summary>The mini-batch loader of the training split.</summary>
    public DataLoader Loader { get; }

    /// <summary>A run record id carried through checkpoints (set by whoever records the run).</summary>
    public long? RunId { get; set; }

    /// <summary>The model of <paramref name="config"/> as its run starts: the weights drawn from the config's seed, before any step.</summary>
    public static Sequential InitialModel(TrainConfig config, int[] exampleShape, int outputs) =>
        config.Model.Build(exampleShape, outputs, new Rng(config.Seed, WeightsStream), config.DType == "float64" ? DType.Float64 : DType.Float32);

    /// <summary>Builds every part of the run from <paramref name="config"/>; data sets are loaded or generated here.</summary>
    /// <param name="config">The run's settings.</param>
    /// <param name="data">The data set pair, when the caller has it loaded already.</param>
    /// <param name="shard">Data-parallel training: this rank's part of every batch (see <see cref="Distributed.DataParallel"/>); null: one process.</param>
    public static TrainingJob Create(TrainConfig config, DatasetPair? data = null, DataShard? shard = null)
    {
        config.Validate();
        var dtype = config.DType == "float64" ? DType.Float64 : DType.Float32;
        bool ownsData = data is null;   // data loaded here may be normalized in place; data passed in is shared
        data ??= DatasetSpec.Load(config.Data, config.Seed, config.Target);
        Dataset train = data.Train, test = data.Test;
        Dataset? validation = null;
        if (config.Validation > 0) (train, validation) = Split.TrainValidation(train, config.Validation, config.Seed);
        if (config.BatchSize > train.Count)
            throw new ArgumentException($"--batch-size {config.BatchSize} is larger than the training split ({train.Count} examples); use at most {train.Count}.");
        Normalizer? normalizer = null;
        if (config.Normalize != "none")
        {
            normalizer = Normalizer.Fit(train, config.Normalize == "global" ? NormalizationMode.Global : NormalizationMode.PerFeature);
            if (ownsData && !train.IsByteBacked)
            {
                // Our own copy: normalize in place (the split already copied its rows), so no second copy of the data is held.
                foreach (var d in new[] { train, test, validation })
                    if (d is not null) normalizer.Apply(d.Features, d.FeatureCount);
            }
            else   // shared data is copied; byte-backed images get a normalized view, converted row by row in the gather
            {
                train = normalizer.Transform(train);
                test = normalizer.Transform(test);
                if (validation is not null) validation = normalizer.Transform(validation);
            }
        }
        var model = InitialModel(config, train.FeatureShape, train.OutputCount);
        var loss = LossFor(config, train);
        var spec = WithWeightDecay(config.Optimizer, config.WeightDecay);
        var optimizer = spec.Create(model.Parameters);
        var schedule = WithCosineLength(config.Schedule, config.Epochs);
        var policy = schedule is null ? new LearningRatePolicy(spec.LearningRate) : schedule.Policy(spec.LearningRate);
        if (config.L1 > 0 && config.L2 > 0) throw new ArgumentException("choose one penalty: --l1 or --l2, not both.");
        var penalty = config.L1 > 0 ? Penalty.L1(config.L1) : config.L2 > 0 ? Penalty.L2(config.L2) : null;
        var options = new TrainerOptions
        {
            Epochs = config.Epochs,
            ClipNorm = config.ClipNorm,
            ClipValue = config.ClipValue,
            EarlyStoppingPatience = config.Patience,
            Threads = config.Threads,
            // Evaluation replays a captured forward pass that keeps one batch's activations: at the training batch size
            // they are no larger than the training step's (a CNN's at 1000 rows would hold ≈ 0.5 GB).
            EvaluationBatchSize = config.BatchSize,
            Ema = config.Ema,
        };
        var trainer = new Trainer(model, optimizer, policy, options, penalty, loss.Create());
        // Augmentation shifts in a raw 0 pixel as the normalization maps it (−μ/σ), torchvision's zero padding before Normalize.
        // Each batch draws its augmentation from one stream for its own rows, so a rank's shard would not draw what the same
        // rows draw in one process: refused rather than silently different.
        if (config.Augment is not null && shard is { } sh && sh.Count > 1)
            throw new ArgumentException("--augment with --distributed is not supported: each rank would draw other augmentations than one process does; train without --augment.");
        var fill = new float[train.FeatureCount];   // [d]
        if (config.Augment is not null) normalizer?.Apply(fill, fill.Length);
        var loader = new DataLoader(train, config.BatchSize, shuffle: true, dropLast: config.DropLast, seed: config.Seed, dtype: dtype,
            oneHotTargets: !loss.IsClassification, shard: shard, augment: config.Augment, fill: fill);
        return new TrainingJob(config, new DatasetPair(train, test), validation, normalizer, model, optimizer, trainer, loader, loss);
    }

    /// <summary>"cosine" without a length anneals over the whole run: tmax = the number of epochs.</summary>
    internal static ScheduleSpec? WithCosineLength(ScheduleSpec? schedule, int epochs) =>
        schedule is { Parts: [{ Name: "cosine" } cosine] } && !cosine.Keys.ContainsKey("tmax")
            ? schedule with { Parts = [cosine with { Keys = cosine.Keys.SetItem("tmax", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture)) }] }
            : schedule;

    private static OptimizerSpec WithWeightDecay(OptimizerSpec optimizer, double weightDecay)
    {
        if (weightDecay == 0) return optimizer;
        if (optimizer.WeightDecay is not null)
            throw new ArgumentException($"weight decay is given twice: --weight-decay {weightDecay} and in --optimizer '{optimizer}'.");
        return optimizer with { WeightDecay = weightDecay };
    }

    /// <summary>The configured loss, or the data's default (cross-entropy for classes, mse for regression targets); checked against the data.</summary>
    /// <summary>The loss a run of <paramref name="config"/> trains with on <paramref name="train"/>: the configured one, else mse for regression targets and cross-entropy for classes.</summary>
    public static LossSpec LossFor(TrainConfig config, Dataset train)
    {
        var loss = config.Loss ?? (train.IsRegression ? LossSpec.Mse : LossSpec.CrossEntropy);
        if (loss.IsClassification && train.IsRegression)
            throw new ArgumentException($"--loss {loss} needs class labels, but '{config.Data}' has regression targets ({string.Join(", ", train.TargetNames)}); use --loss mse or half-sse.");
        return loss;
    }

    /// <summary>Trains to the configured number of epochs (from where a resume left off).</summary>
    public TrainingResult Run(CancellationToken cancellation = default) => Trainer.Fit(Loader, Validation, cancellation);

    /// <summary>Loss, accuracy and confusion matrix on the test set; loss, RMSE, MAE and R² for a regression set.</summary>
    public Evaluation EvaluateTest() => Trainer.Evaluate(Tensor.Wrap(Test.Features, Test.Count, Test.FeatureCount), Test.Labels, Test.TargetsTensor(), Test.ClassCount);

    /// <summary>
    /// Writes a checkpoint of the current state (after an epoch) to <paramref name="dir"/>, atomically. With
    /// <see cref="TrainConfig.Ema"/> the model file holds the averaged weights, and the weights being trained go beside the
    /// optimizer's state.
    /// </summary>
    public void SaveCheckpoint(string dir)
    {
        var s = Trainer.State;
        var state = new TrainingState
        {
            Epoch = s.NextEpoch,
            Step = s.Step,
            Seed = Config.Seed,
            Config = JsonNode.Parse(Config.ToJson())!.AsObject(),
            Metrics = s.History.Select(MetricsOf).ToList(),
            Extra = new JsonObject
            {
                ["trainer"] = JsonSerializer.SerializeToNode(s, Checkpoint.JsonOptions),
                ["run_id"] = RunId,
                ["normalizer"] = Normalizer is null ? null : JsonSerializer.SerializeToNode(Normalizer.Parameters, Checkpoint.JsonOptions),
                ["class_names"] = new JsonArray(Train.ClassNames.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
                ["target_names"] = new JsonArray(Train.TargetNames.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
                ["feature_shape"] = new JsonArray(Train.FeatureShape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            },
        };
        foreach (var (name, d) in DropoutLayers(Model)) state.Rng[name] = d.Generator.GetState();
        if (Trainer.Policy.Plateau is { } p)
        {
            var (rate, best, bad, cool) = p.GetState();
            state.Schedule = new JsonObject { ["plateau_rate"] = rate, ["plateau_best"] = best, ["plateau_bad_epochs"] = bad, ["plateau_cooldown_left"] = cool };
        }
        var extra = Optimizer.StateDict().AsEnumerable();
        if (Trainer.BestWeights is { } bw) extra = extra.Concat(bw.Select(kv => KeyValuePair.Create(BestPrefix + kv.Key, kv.Value)));
        var model = Model.StateDict();
        if (Trainer.Average is { } average)   // the model file holds the averaged weights (what evaluate, predict and export read)
        {
            extra = extra.Concat(model.Select(kv => KeyValuePair.Create(LivePrefix + kv.Key, kv.Value)));
            model = average.Averages;
        }
        Checkpoint.Save(dir, model, extra, state);
    }

    /// <summary>Rebuilds the run saved in <paramref name="dir"/> and puts back its weights, optimizer, RNG and loop state.</summary>
    /// <param name="dir">The checkpoint folder.</param>
    /// <param name="data">The data set pair, when the caller has it loaded already.</param>
    /// <param name="change">A change of the saved config before the run is rebuilt (e.g. a new learning rate or more epochs;
    /// the optimizer kind and the model must stay the same for the state to load).</param>
    /// <param name="shard">Data-parallel training: this rank's part of every batch; null: one process.</param>
    public static TrainingJob Resume(string dir, DatasetPair? data = null, Func<TrainConfig, TrainConfig>? change = null, DataShard? shard = null)
    {
        var ck = Checkpoint.Load(dir);
        var config = ck.State.Config is null
            ? throw new InvalidDataException($"{dir}: state.json has no training config; it is not a checkpoint of descent train.")
            : TrainConfig.FromJson(ck.State.Config.ToJsonString());
        if (change is not null) config = change(config);
        var job = Create(config, data, shard);
        job.Model.LoadStateDict(ck.Model);
        // With --ema the model file holds the averages and the weights being trained are saved apart (see SaveCheckpoint).
        job.Trainer.Average?.Load(ck.Model);
        var live = ck.Optimizer.Where(kv => kv.Key.StartsWith(LivePrefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[LivePrefix.Length..], kv => kv.Value);
        if (live.Count > 0) job.Model.LoadStateDict(live);
        var optimizerState = ck.Optimizer.Where(kv => !kv.Key.StartsWith(BestPrefix, StringComparison.Ordinal) && !kv.Key.StartsWith(LivePrefix, StringComparison.Ordinal)).ToDictionary();
        job.Optimizer.LoadStateDict(optimizerState);
        job.Optimizer.LearningRate = job.Trainer.Policy.BaseRate;   // a changed config's rate wins over the saved one
        var best = ck.Optimizer.Where(kv => kv.Key.StartsWith(BestPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[BestPrefix.Length..], kv => kv.Value);
        if (best.Count > 0) job.Trainer.SetBestWeights(best);
        var extra = ck.State.Extra;
        job.Trainer.State = extra?["trainer"].Deserialize<TrainerState>(Checkpoint.JsonOptions) ?? new TrainerState { NextEpoch = ck.State.Epoch, Step = ck.State.Step };
        job.RunId = extra?["run_id"]?.GetValue<long?>();
        foreach (var (name, d) in DropoutLayers(job.Model))
            if (ck.State.Rng.TryGetValue(name, out var rngState)) d.Generator.SetState(rngState);
        if (job.Trainer.Policy.Plateau is { } p && ck.State.Schedule is { } sch)
            p.SetState((sch["plateau_rate"]!.GetValue<double>(), sch["plateau_best"]!.GetValue<double>(),
                sch["plateau_bad_epochs"]!.GetValue<int>(), sch["plateau_cooldown_left"]!.GetValue<int>()));
        return job;
    }

    private static IEnumerable<(string Name, Dropout Layer)> DropoutLayers(Module m, string prefix = "")
    {
        foreach (var (name, child) in m.NamedChildren())
        {
            if (child is Dropout d) yield return (prefix + name, d);
            foreach (var item in DropoutLayers(child, prefix + name + ".")) yield return item;
        }
    }

    /// <summary>An epoch's metrics as a flat name → value map (run records, state.json).</summary>
    public static Dictionary<string, double> MetricsOf(EpochMetrics e)
    {
        var m = Metrics(e);
        if (double.IsNaN(e.TrainRmse)) return m;   // regression figures only for a regression run
        m["train_rmse"] = e.TrainRmse; m["train_r2"] = e.TrainR2; m["val_rmse"] = e.ValidationRmse; m["val_r2"] = e.ValidationR2;
        return m;
    }

    private static Dictionary<string, double> Metrics(EpochMetrics e) => new()
    {
        ["epoch"] = e.Epoch + 1,
        ["train_loss"] = e.TrainLoss,
        ["train_accuracy"] = e.TrainAccuracy,
        ["val_loss"] = e.ValidationLoss,
        ["val_accuracy"] = e.ValidationAccuracy,
        ["learning_rate"] = e.LearningRate,
        ["samples_per_second"] = e.SamplesPerSecond,
        ["seconds"] = e.Seconds,
        ["gradient_norm"] = e.GradientNorm,
    };
}
