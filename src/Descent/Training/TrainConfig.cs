using System.Text.Json;
using System.Text.Json.Serialization;

namespace Descent.Training;

/// <summary>
/// Everything that defines a training run, as <c>descent train</c> takes it; with the seed it fixes the result
/// bitwise. Saved in checkpoints and run records; a resumed run is rebuilt from it.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>Data set: fashion-mnist, mnist:DIR, circles, moons, spirals, blobs, xor, csv:PATH (see <see cref="Data.DatasetSpec"/>).</summary>
    public string Data { get; init; } = "fashion-mnist";

    /// <summary>Hidden layer widths; input and output widths come from the data.</summary>
    public int[] Hidden { get; init; } = [256, 128];

    /// <summary>Activation of the hidden layers: relu, tanh, sigmoid, leaky_relu, elu, gelu, identity.</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>Weight initializer in text form (he, xavier, normal:0.01, …; "default" for PyTorch's Linear default).</summary>
    public string Init { get; init; } = "he";

    /// <summary>Optimizer in text form, e.g. adam:lr=1e-3.</summary>
    public string Optimizer { get; init; } = "adam:lr=1e-3";

    /// <summary>
    /// Learning-rate schedule in text form, e.g. <c>cosine</c> (the default: cosine annealing from the optimizer's rate
    /// to 0 over the run; <c>tmax</c> defaults to the number of epochs), <c>constant</c>, <c>exponential:base=0.95</c>,
    /// <c>plateau:patience=2</c>; null is constant.
    /// </summary>
    public string? Schedule { get; init; } = "cosine";

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 10;

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

    /// <summary>Dropout probability after each hidden activation.</summary>
    public double Dropout { get; init; }

    /// <summary>Batch normalization before each hidden activation.</summary>
    public bool BatchNorm { get; init; }

    /// <summary>Input normalization fit on the training split: global, per-feature or none.</summary>
    public string Normalize { get; init; } = "global";

    /// <summary>Fraction of the training set held out for validation (0: none).</summary>
    public double Validation { get; init; }

    /// <summary>Early-stopping patience in epochs on the validation loss (null: off; needs validation).</summary>
    public int? Patience { get; init; }

    /// <summary>Label smoothing of the cross-entropy.</summary>
    public double LabelSmoothing { get; init; }

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
    };

    /// <summary>The config as JSON (snake_case keys).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a config written by <see cref="ToJson"/>.</summary>
    public static TrainConfig FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainConfig>(json, Json) ?? throw new InvalidDataException("training config: the JSON holds null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"training config: the value at {e.Path ?? "the top"} is not of the expected kind (or the JSON is not valid); the checkpoint's state.json was changed or damaged.", e);
        }
    }

    /// <summary>Checks ranges; the message names the setting and the bad value.</summary>
    public void Validate()
    {
        if (Hidden.Any(h => h < 1)) throw new ArgumentException($"hidden widths must be ≥ 1, got {string.Join(",", Hidden)}.");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be ≥ 1, got {BatchSize}.");
        if (Epochs < 1) throw new ArgumentException($"epochs must be ≥ 1, got {Epochs}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"dropout must be in [0, 1), got {Dropout}.");
        if (Patience is < 1) throw new ArgumentException($"patience must be ≥ 1 epoch, got {Patience}.");
        if (!(Validation >= 0 && Validation < 1)) throw new ArgumentException($"validation fraction must be in [0, 1), got {Validation}.");
        if (Patience is not null && Validation == 0) throw new ArgumentException("early stopping (--patience) needs a validation split (--validation 0.1, say).");
        if (!(WeightDecay >= 0 && L1 >= 0 && L2 >= 0)) throw new ArgumentException($"weight decay and penalties must be ≥ 0, got weight decay {WeightDecay}, L1 {L1}, L2 {L2}.");
        if (!(LabelSmoothing >= 0 && LabelSmoothing <= 1)) throw new ArgumentException($"label smoothing must be in [0, 1], got {LabelSmoothing}.");
        if (ClipNorm is { } cn && !(cn > 0 && double.IsFinite(cn))) throw new ArgumentException($"clip norm must be a finite number > 0, got {cn}.");
        if (ClipValue is { } cv && !(cv > 0 && double.IsFinite(cv))) throw new ArgumentException($"clip value must be a finite number > 0, got {cv}.");
        if (Threads < 0) throw new ArgumentException($"threads must be ≥ 0, got {Threads}.");
        if (DType is not ("float32" or "float64")) throw new ArgumentException($"dtype must be float32 or float64, got '{DType}'.");
        if (Normalize is not ("global" or "per-feature" or "none")) throw new ArgumentException($"normalize must be global, per-feature or none, got '{Normalize}'.");
    }
}
