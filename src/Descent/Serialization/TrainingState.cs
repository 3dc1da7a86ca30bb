using System.Text.Json.Nodes;

namespace Descent.Serialization;

/// <summary>
/// Everything besides tensors that a resumed run needs, saved as <c>state.json</c>: how far training got,
/// the RNG states, the schedule's state, the run's configuration and the metrics so far. Generic on purpose —
/// the trainer puts what it needs in <see cref="Config"/>, <see cref="Schedule"/> and <see cref="Extra"/>.
/// </summary>
public sealed class TrainingState
{
    /// <summary>Epochs completed.</summary>
    public int Epoch { get; set; }

    /// <summary>Optimizer steps taken.</summary>
    public long Step { get; set; }

    /// <summary>Batches of the current (unfinished) epoch already trained on, for a mid-epoch resume (0 at an epoch boundary).</summary>
    public int BatchInEpoch { get; set; }

    /// <summary>The seed of the run (the data order of epoch e is a function of it and e).</summary>
    public ulong Seed { get; set; }

    /// <summary>RNG states by role ("dropout", "init", …), each the four words of <see cref="Rng.GetState"/>.</summary>
    public Dictionary<string, ulong[]> Rng { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The schedule's state (for a pure schedule, its name, parameters and t).</summary>
    public JsonObject? Schedule { get; set; }

    /// <summary>The run's configuration.</summary>
    public JsonObject? Config { get; set; }

    /// <summary>Per-epoch metrics so far, oldest first (e.g. train_loss, val_loss, val_accuracy).</summary>
    public List<Dictionary<string, double>> Metrics { get; set; } = [];

    /// <summary>Anything else (e.g. the normalizer's μ and σ, the best validation score).</summary>
    public JsonObject? Extra { get; set; }

    /// <summary>The manifest: SHA-256 and length of each tensor file, filled in by <see cref="Checkpoint.Save"/> (which writes <c>state.json</c> last) and checked by <see cref="Checkpoint.Load"/>.</summary>
    public Dictionary<string, FileDigest> Files { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Format version of <c>state.json</c>.</summary>
    public int Version { get; set; } = 1;
}

/// <summary>The length and SHA-256 (hex) of a file.</summary>
public sealed record FileDigest(long Bytes, string Sha256);

