using System.Text.Json;
using Descent.Data;
using Descent.Nn;
using Descent.Serialization;

namespace Descent.Training;

/// <summary>
/// A model read back from a checkpoint of <c>descent train</c> for inference: the model rebuilt from the saved
/// config's text form (<see cref="ModelSpec"/>) with its weights, the input normalization fit on the training split,
/// and the class names (or, for a regression, the target names). No data set is loaded.
/// </summary>
public sealed class TrainedModel
{
    private TrainedModel(TrainConfig config, Sequential model, Normalizer? normalizer, IReadOnlyList<string> classNames, IReadOnlyList<string> targetNames, int[] featureShape)
        => (Config, Model, Normalizer, ClassNames, TargetNames, FeatureShape) = (config, model, normalizer, classNames, targetNames, featureShape);

    /// <summary>The training configuration.</summary>
    public TrainConfig Config { get; }

    /// <summary>The model, in evaluation mode.</summary>
    public Sequential Model { get; }

    /// <summary>The input normalization, or null.</summary>
    public Normalizer? Normalizer { get; }

    /// <summary>Class names, by class index (empty for a regression).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Names of the regression targets (empty for a classifier).</summary>
    public IReadOnlyList<string> TargetNames { get; }

    /// <summary>True when the model predicts regression targets rather than classes.</summary>
    public bool IsRegression => TargetNames.Count > 0;

    /// <summary>The shape of one example (e.g. [1, 28, 28]).</summary>
    public int[] FeatureShape { get; }

    /// <summary>Number of input features.</summary>
    public int FeatureCount => Shape.Numel(FeatureShape);

    /// <summary>Loads the checkpoint in <paramref name="dir"/>.</summary>
    public static TrainedModel Load(string dir)
    {
        var ck = Checkpoint.Load(dir, withOptimizer: false);
        var cfgNode = ck.State.Config ?? throw new InvalidDataException($"{dir}: state.json has no training config; it is not a checkpoint of descent train.");
        var config = TrainConfig.FromJson(cfgNode.ToJsonString());
        var extra = ck.State.Extra ?? throw new InvalidDataException($"{dir}: state.json has no 'extra' section (class names, feature shape).");
        var classes = extra["class_names"]?.Deserialize<string[]>() ?? throw new InvalidDataException($"{dir}: state.json lacks extra.class_names.");
        var shape = extra["feature_shape"]?.Deserialize<int[]>() ?? throw new InvalidDataException($"{dir}: state.json lacks extra.feature_shape.");
        var targets = extra["target_names"]?.Deserialize<string[]>() ?? [];
        var norm = extra["normalizer"] is { } n ? Normalizer.FromState(n.Deserialize<Normalizer.State>(Checkpoint.JsonOptions)!) : null;
        var dtype = config.DType == "float64" ? DType.Float64 : DType.Float32;
        var model = config.Model.Build(shape, targets.Length > 0 ? targets.Length : classes.Length, new Rng(config.Seed), dtype);
        model.LoadStateDict(ck.Model);
        model.Eval();
        return new TrainedModel(config, model, norm, classes, targets, shape);
    }

    /// <summary>
    /// A model trained elsewhere (PyTorch): the safetensors state dict at <paramref name="weightsPath"/> (see
    /// <see cref="TorchStateDict"/>) loaded into <paramref name="spec"/> built for examples of <paramref name="featureShape"/>.
    /// The outputs are <paramref name="classNames"/> (or the regression's <paramref name="targetNames"/>); with neither,
    /// one class per row of the last Linear's weight in the file, named 0, 1, …. No normalization: the features go in as
    /// the data set gives them. <paramref name="data"/> (a <see cref="DatasetSpec"/> text) and <paramref name="seed"/> are
    /// recorded in <see cref="Config"/> for whoever rebuilds the test split.
    /// </summary>
    public static TrainedModel FromWeights(string weightsPath, ModelSpec spec, int[] featureShape, IReadOnlyList<string>? classNames = null,
        IReadOnlyList<string>? targetNames = null, string data = "", ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(featureShape);
        var state = TorchStateDict.Read(weightsPath);
        targetNames ??= [];
        if (targetNames.Count == 0 && classNames is null)
        {
            string last = $"{spec.Layers.List.Count - 1}.weight";   // the last layer is a Linear: weight [outputs, in]
            classNames = state.TryGetValue(last, out var w) && w.Rank == 2
                ? Enumerable.Range(0, w.Shape[0]).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()
                : throw new InvalidDataException($"{weightsPath}: no 2-D tensor '{last}' (the last Linear of model '{spec}'), so the number of outputs is unknown.");
        }
        classNames ??= [];
        var config = new TrainConfig { Data = data, Model = spec, Normalize = "none", Seed = seed };
        var model = spec.Build(featureShape, targetNames.Count > 0 ? targetNames.Count : classNames.Count, new Rng(seed));
        TorchStateDict.LoadInto(model, state, weightsPath, spec.ToString());
        model.Eval();
        return new TrainedModel(config, model, null, classNames, targetNames, featureShape);
    }

    /// <summary>Class probabilities [n, classes] for raw features [n, features] (normalized here as in training).</summary>
    public Tensor PredictProbabilities(float[] features, int rows)
    {
        if (IsRegression) throw new InvalidOperationException("PredictProbabilities: the model is a regression; use Predict.");
        return Predict(features, rows).Softmax(1);
    }

    /// <summary>The model's outputs [n, k] for raw features [n, features]: logits of a classifier, predicted targets of a regression.</summary>
    public Tensor Predict(float[] features, int rows)
    {
        if (features.Length != rows * FeatureCount)
            throw new ShapeException($"predict: {features.Length} values for {rows} rows of {FeatureCount} features (shape {Shape.Format(FeatureShape)}).");
        var x = (float[])features.Clone();
        Normalizer?.Apply(x, FeatureCount);
        var input = Tensor.Wrap(x, rows, FeatureCount);
        using var _ = Autograd.NoGrad();
        var dtype = Config.DType == "float64" ? DType.Float64 : DType.Float32;
        return Model.Forward(input.To(dtype));
    }
}
