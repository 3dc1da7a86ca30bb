using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Descent.Data;
using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Schedules;

namespace Descent.Training;

/// <summary>
/// Everything that defines a training run, as <c>descent train</c> takes it; with the seed it fixes the result
/// bitwise. Saved in checkpoints and run records; a resumed run, <c>evaluate</c> and <c>predict</c> rebuild from it.
/// </summary>
/// <remarks>
/// The model, optimizer, schedule and loss are records parsed from their text forms (<see cref="ModelSpec"/>,
/// <see cref="OptimizerSpec"/>, <see cref="ScheduleSpec"/>, <see cref="LossSpec"/>); change them with <c>with { … }</c>,
/// e.g. <c>config with { Optimizer = config.Optimizer with { Lr = 0.1 } }</c>. In JSON each is its canonical text.
/// </remarks>
public sealed record TrainConfig
{
    /// <summary>Data set: fashion-mnist, mnist:DIR, circles, moons, spirals, blobs, xor, bars, sine, friedman, csv:PATH (see <see cref="Data.DatasetSpec"/>).</summary>
    public string Data { get; init; } = "fashion-mnist";

    /// <summary>Regression target column(s) of a CSV data set, comma-separated (null: a classification set).</summary>
    public string? Target { get; init; }

    /// <summary>The model (default <c>mlp:256,128</c>: 784-256-128-10 with ReLU and He init on Fashion-MNIST); input and output widths come from the data.</summary>
    [JsonConverter(typeof(SpecConverter<ModelSpec>))]
    public ModelSpec Model { get; init; } = new MlpSpec { Hidden = [256, 128] };

    /// <summary>The loss (null: cross-entropy for a classification set, mse for a regression set).</summary>
    [JsonConverter(typeof(SpecConverter<LossSpec>))]
    public LossSpec? Loss { get; init; }

    /// <summary>Optimizer, e.g. adam:lr=0.001.</summary>
    [JsonConverter(typeof(SpecConverter<OptimizerSpec>))]
    public OptimizerSpec Optimizer { get; init; } = new("adam") { Lr = 1e-3 };

    /// <summary>
    /// Learning-rate schedule in text form, e.g. <c>cosine</c> (the default: cosine annealing from the optimizer's rate
    /// to 0 over the run; <c>tmax</c> defaults to the number of epochs), <c>constant</c>, <c>exponential:base=0.95</c>,
    /// <c>plateau:patience=2</c>; null is constant.
    /// </summary>
    [JsonConverter(typeof(SpecConverter<ScheduleSpec>))]
    public ScheduleSpec? Schedule { get; init; } = ScheduleSpec.Parse("cosine");

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Random augmentation of the training images, e.g. <c>flip,shift:2</c> (null: none; see <see cref="Augmentation"/>).</summary>
    [JsonConverter(typeof(SpecConverter<Augmentation>))]
    public Augmentation? Augment { get; init; }

    /// <summary>
    /// The decay of the exponential moving average of the weights, e.g. 0.999 (0: off; see <see cref="TrainerOptions.Ema"/>):
    /// validation, the test accuracy and the checkpoint's model use the averaged weights.
    /// </summary>
    public double Ema { get; init; }

    /// <summary>Drop the last incomplete batch of each epoch.</summary>
    public bool DropLast { get; init; }

    /// <summary>Clip the gradients' global L2 norm (null: off).</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Clip each gradient element to ±v (null: off).</summary>
    public double? ClipValue { get; init; }

    /// <summary>Weight decay passed to the optimizer (PyTorch semantics: L2 in the gradient for SGD/Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; init; }

    /// <summary>L1 penalty λ·Σ|w| on the weights (not biases), added to the loss.</summary>
    public double L1 { get; init; }

    /// <summary>L2 penalty λ/2·Σw² on the weights (not biases), added to the loss (the notes' form).</summary>
    public double L2 { get; init; }

    /// <summary>Input normalization fit on the training split: global, per-feature or none.</summary>
    public string Normalize { get; init; } = "global";

    /// <summary>Fraction of the training set held out for validation (0: none).</summary>
    public double Validation { get; init; }

    /// <summary>Early-stopping patience in epochs on the validation loss (null: off; needs validation).</summary>
    public int? Patience { get; init; }

    /// <summary>Element type of the weights: float32 or float64.</summary>
    public string DType { get; init; } = "float32";

    /// <summary>The seed of every random number (weights, data order, dropout, splits).</summary>
    public ulong Seed { get; init; }

    /// <summary>Worker threads for the kernels (0: all cores). Results do not depend on it.</summary>
    public int Threads { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,   // the text forms as written ('+' not \u002B)
    };

    /// <summary>The config as JSON (snake_case keys).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Reads a config written by <see cref="ToJson"/>. A config from before the model and loss text forms (keys hidden,
    /// activation, init, batch_norm, dropout, label_smoothing) is read as the same MLP and loss.
    /// </summary>
    public static TrainConfig FromJson(string json)
    {
        try { return Read(json); }
        catch (JsonException e)
        {
            throw new InvalidDataException($"training config: the value at {e.Path ?? "the top"} is not of the expected kind (or the JSON is not valid); the checkpoint's state.json was changed or damaged.", e);
        }
    }

    private static TrainConfig Read(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("training config: the JSON is not an object.");
        if (node["model"] is null && node["hidden"] is JsonArray hidden)
        {
            var mlp = new MlpSpec
            {
                Hidden = hidden.Select(h => h!.GetValue<int>()).ToArray(),
                Activation = node["activation"]?.GetValue<string>() ?? "relu",
                Init = node["init"]?.GetValue<string>() ?? "he",
                BatchNorm = node["batch_norm"]?.GetValue<bool>() ?? false,
                Dropout = node["dropout"]?.GetValue<double>() ?? 0,
            };
            node["model"] = mlp.Checked().ToString();
            if (node["label_smoothing"]?.GetValue<double>() is { } ls and not 0) node["loss"] = new LossSpec("cross-entropy") { LabelSmoothing = ls }.ToString();
            foreach (var key in new[] { "hidden", "activation", "init", "batch_norm", "dropout", "label_smoothing" }) node.Remove(key);
        }
        return node.Deserialize<TrainConfig>(Json) ?? throw new InvalidDataException("training config: the JSON holds null.");
    }

    /// <summary>Checks ranges; the message names the setting and the bad value.</summary>
    public void Validate()
    {
        if (Model is MlpSpec mlp) mlp.Checked();
        Optimizer.Validate();
        Loss?.Validate();
        if (Schedule is { IsPlateau: false } schedule && !(schedule.Parts is [{ Name: "cosine" }])) schedule.Create();
        if (BatchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {BatchSize}.");
        if (Epochs < 1) throw new ArgumentException($"epochs must be ≥ 1, got {Epochs}.");
        if (Patience is < 1) throw new ArgumentException($"patience must be ≥ 1 epoch, got {Patience}.");
        if (!(Validation >= 0 && Validation < 1)) throw new ArgumentException($"validation fraction must be in [0, 1), got {Validation}.");
        if (Patience is not null && Validation == 0) throw new ArgumentException("early stopping (--patience) needs a validation split (--validation 0.1, say).");
        if (!(WeightDecay >= 0 && L1 >= 0 && L2 >= 0)) throw new ArgumentException($"weight decay and penalties must be ≥ 0, got weight decay {WeightDecay}, L1 {L1}, L2 {L2}.");
        Loss?.Validate();
        if (ClipNorm is { } cn && !(cn > 0 && double.IsFinite(cn))) throw new ArgumentException($"clip norm must be a finite number > 0, got {cn}.");
        if (ClipValue is { } cv && !(cv > 0 && double.IsFinite(cv))) throw new ArgumentException($"clip value must be a finite number > 0, got {cv}.");
        if (!(Ema >= 0 && Ema < 1)) throw new ArgumentException($"ema decay must be in [0, 1) (0: off), e.g. 0.999, got {Ema}.");
        if (Threads < 0) throw new ArgumentException($"threads must be ≥ 0, got {Threads}.");
        if (DType is not ("float32" or "float64")) throw new ArgumentException($"dtype must be float32 or float64, got '{DType}'.");
        if (Normalize is not ("global" or "per-feature" or "none")) throw new ArgumentException($"normalize must be global, per-feature or none, got '{Normalize}'.");
    }
}

/// <summary>Writes a spec record as its canonical text and reads it back with its Parse (ModelSpec, LossSpec, OptimizerSpec, ScheduleSpec, Augmentation).</summary>
internal sealed class SpecConverter<T> : JsonConverter<T> where T : class
{
    /// <inheritdoc/>
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        string text = reader.GetString() ?? "";
        try
        {
            if (typeof(T) == typeof(Augmentation)) return (T?)(object?)Augmentation.Parse(text);
            object spec = typeof(T) == typeof(ModelSpec) ? ModelSpec.Parse(text)
                : typeof(T) == typeof(LossSpec) ? LossSpec.Parse(text)
                : typeof(T) == typeof(OptimizerSpec) ? OptimizerSpec.Parse(text)
                : typeof(T) == typeof(ScheduleSpec) ? ScheduleSpec.Parse(text)
                : throw new NotSupportedException(typeof(T).Name);
            return (T)spec;
        }
        catch (ArgumentException e) { throw new InvalidDataException($"training config: {e.Message}", e); }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
