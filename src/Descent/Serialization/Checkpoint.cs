using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

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

    /// <summary>SHA-256 and length of each tensor file, filled in by <see cref="Checkpoint.Save"/> and checked by <see cref="Checkpoint.Load"/>.</summary>
    public Dictionary<string, FileDigest> Files { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Format version of <c>state.json</c>.</summary>
    public int Version { get; set; } = 1;
}

/// <summary>The length and SHA-256 (hex) of a file.</summary>
public sealed record FileDigest(long Bytes, string Sha256);

/// <summary>A checkpoint read back: model and optimizer tensors by name, and the state.</summary>
public sealed record LoadedCheckpoint(string Directory, Dictionary<string, Tensor> Model, Dictionary<string, Tensor> Optimizer, TrainingState State);

/// <summary>
/// A checkpoint folder: <c>model.safetensors</c> (the weights, PyTorch state-dict names), <c>optimizer.safetensors</c>
/// (the optimizer's state tensors) and <c>state.json</c> (<see cref="TrainingState"/>).
/// </summary>
/// <remarks>
/// Saving never leaves a half-written checkpoint: the three files are written (each flushed and fsynced) into a new
/// sibling folder <c>DIR.tmp-*</c>, the old folder is renamed to <c>DIR.old-*</c>, the new one to <c>DIR</c>, and the
/// old one is deleted. If the process dies between the two renames, <see cref="Load"/> finds the complete
/// <c>DIR.old-*</c> folder and uses it. <c>state.json</c> records each tensor file's SHA-256, so a mixed or altered
/// folder is detected on load. The folder belongs to the checkpoint: other files in it are not kept.
/// </remarks>
public static class Checkpoint
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "state.json";

    /// <summary>JSON conventions of <c>state.json</c>: snake_case, indented, NaN/∞ allowed.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Saves a checkpoint to <paramref name="dir"/> (replacing one that is there).</summary>
    public static void Save(string dir, IEnumerable<KeyValuePair<string, Tensor>> model, IEnumerable<KeyValuePair<string, Tensor>>? optimizer, TrainingState state)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        string tmp = $"{full}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(tmp);
        try
        {
            Safetensors.Write(Path.Combine(tmp, ModelFile), model, new Dictionary<string, string> { ["format"] = "pt" });
            Safetensors.Write(Path.Combine(tmp, OptimizerFile), optimizer ?? [], new Dictionary<string, string> { ["format"] = "pt" });
            state.Files = new(StringComparer.Ordinal)
            {
                [ModelFile] = Digest(Path.Combine(tmp, ModelFile)),
                [OptimizerFile] = Digest(Path.Combine(tmp, OptimizerFile)),
            };
            AtomicFile.WriteAllText(Path.Combine(tmp, StateFile), JsonSerializer.Serialize(state, JsonOptions));
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
        string? old = null;
        if (Directory.Exists(full))
        {
            old = $"{full}.old-{Guid.NewGuid():N}";
            Directory.Move(full, old);
        }
        Directory.Move(tmp, full);
        if (old is not null) TryDelete(old);
    }

    /// <summary>Whether <paramref name="dir"/> (or a complete copy left by an interrupted save) holds a checkpoint.</summary>
    public static bool Exists(string dir) => Resolve(dir) is not null;

    /// <summary>Loads the checkpoint in <paramref name="dir"/>, checking the tensor files against the digests in <c>state.json</c>.</summary>
    /// <param name="dir">The checkpoint folder.</param>
    /// <param name="withOptimizer">False for inference: <c>optimizer.safetensors</c> is neither needed nor read.</param>
    public static LoadedCheckpoint Load(string dir, bool withOptimizer = true)
    {
        string where = Resolve(dir) ?? throw new FileNotFoundException($"No checkpoint in '{dir}': expected {StateFile}, {ModelFile}{(withOptimizer ? $" and {OptimizerFile}" : "")} there.");
        string statePath = Path.Combine(where, StateFile);
        TrainingState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath), JsonOptions)
                ?? throw new InvalidDataException($"{statePath}: the file holds null; expected the training state object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{statePath}: byte offset {e.BytePositionInLine} of line {e.LineNumber + 1}: not a valid training state ({e.Message}).");
        }
        if (state.Files is null || state.Rng is null || state.Metrics is null)
            throw new InvalidDataException($"{statePath}: \"files\", \"rng\" and \"metrics\" must be present, not null; the file was changed or damaged.");
        foreach (var file in withOptimizer ? new[] { ModelFile, OptimizerFile } : [ModelFile])
        {
            string p = Path.Combine(where, file);
            if (!File.Exists(p)) throw new FileNotFoundException($"Checkpoint '{where}' lacks {file}.", p);
            if (state.Files.TryGetValue(file, out var expected))
            {
                if (expected?.Sha256 is not { Length: 64 })
                    throw new InvalidDataException($"{statePath}: the digest recorded for {file} is missing or malformed; the file was changed or damaged.");
                var actual = Digest(p);
                if (actual != expected)
                    throw new InvalidDataException($"{p}: {actual.Bytes} bytes with SHA-256 {actual.Sha256[..12]}…, but {StateFile} recorded {expected.Bytes} bytes with {expected.Sha256[..12]}… — the file was changed or belongs to another save.");
            }
        }
        var model = Safetensors.Read(Path.Combine(where, ModelFile)).ToTensors();
        var opt = withOptimizer ? Safetensors.Read(Path.Combine(where, OptimizerFile)).ToTensors() : new Dictionary<string, Tensor>();
        return new LoadedCheckpoint(where, model, opt, state);
    }

    private static string? Resolve(string dir)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        if (File.Exists(Path.Combine(full, StateFile))) return full;
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return null;
        return Directory.GetDirectories(parent, Path.GetFileName(full) + ".old-*")
            .Where(d => File.Exists(Path.Combine(d, StateFile)))
            .OrderByDescending(d => File.GetLastWriteTimeUtc(Path.Combine(d, StateFile)))
            .FirstOrDefault();
    }

    private static FileDigest Digest(string path)
    {
        using var fs = File.OpenRead(path);
        return new FileDigest(fs.Length, Convert.ToHexStringLower(SHA256.HashData(fs)));
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
