using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Descent.Serialization;

/// <summary>A checkpoint read back: model and optimizer tensors by name, and the state.</summary>
public sealed record LoadedCheckpoint(string Directory, Dictionary<string, Tensor> Model, Dictionary<string, Tensor> Optimizer, TrainingState State);

/// <summary>
/// A checkpoint folder: <c>model.safetensors</c> (the weights, PyTorch state-dict names), <c>optimizer.safetensors</c>
/// (the optimizer's state tensors) and <c>state.json</c> (<see cref="TrainingState"/>), which is also the manifest:
/// it records the length and SHA-256 of each tensor file, and a checkpoint is whatever <c>state.json</c> names.
/// </summary>
/// <remarks>
/// <para>A save replaces the files one by one, inside the folder, and never touches another name:</para>
/// <list type="number">
/// <item>finish or drop what a killed save left (<see cref="Recover"/>);</item>
/// <item>write each tensor file to its staged name <c>.model.safetensors.next</c>, <c>.optimizer.safetensors.next</c>, fsync;</item>
/// <item>write <c>state.json</c>, naming the new files' digests, to a temporary name, fsync, rename over the old one, fsync
/// the folder — <b>the commit</b>;</item>
/// <item>rename each staged file to its name, fsync the folder.</item>
/// </list>
/// <para>A load reads <c>state.json</c> and takes each tensor file from its name or, if that does not match the digest
/// (a save killed between steps 3 and 4), from its staged name. So a process killed at any point leaves a loadable
/// checkpoint: the previous one before the commit, the new one after it; a reader never sees a mix.</para>
/// <para>One writer at a time: <see cref="OutputFolder"/>'s lock keeps a second run out.</para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>The model's weights in a checkpoint folder (safetensors).</summary>
    public const string ModelFile = "model.safetensors";
    /// <summary>The optimizer's state in a checkpoint folder (safetensors).</summary>
    public const string OptimizerFile = "optimizer.safetensors";
    /// <summary>The training state (epoch, RNG streams, metrics) in a checkpoint folder (JSON).</summary>
    public const string StateFile = "state.json";

    /// <summary>The tensor files, in the order a save writes them.</summary>
    public static readonly IReadOnlyList<string> TensorFiles = [ModelFile, OptimizerFile];

    /// <summary>JSON conventions of <c>state.json</c>: snake_case, indented, NaN/∞ allowed.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Fault tests: told of each file operation of a save on this thread before it happens (it may stop the save there).</summary>
    [ThreadStatic] internal static Action<string>? FaultHook;

    /// <summary>The staged name of a tensor file during a save (<c>.model.safetensors.next</c>).</summary>
    public static string StagedName(string file) => $".{file}.next";

    /// <summary>Whether a file of this name in a checkpoint folder is one a save writes (the files, staged files, temporaries).</summary>
    public static bool IsOwnName(string name) =>
        name is StateFile or ModelFile or OptimizerFile
        || TensorFiles.Any(f => name == StagedName(f))
        || new[] { StateFile, ModelFile, OptimizerFile }.Any(f => AtomicFile.IsTemporaryOf(name, f));

    /// <summary>Saves a checkpoint to <paramref name="dir"/>, replacing the one there file by file (see the remarks).</summary>
    /// <exception cref="CheckpointSaveException">The disk is full, read-only or not writable; the previous checkpoint is intact.</exception>
    public static void Save(string dir, IEnumerable<KeyValuePair<string, Tensor>> model, IEnumerable<KeyValuePair<string, Tensor>>? optimizer, TrainingState state)
    {
        string full = Path.GetFullPath(dir);
        bool staging = false, committed = false;
        try
        {
            Directory.CreateDirectory(full);
            Recover(full);
            staging = true;
            var digests = new Dictionary<string, FileDigest>(StringComparer.Ordinal)
            {
                [ModelFile] = Stage(full, ModelFile, model),
                [OptimizerFile] = Stage(full, OptimizerFile, optimizer ?? []),
            };
            Step($"fsync folder {full}");
            Posix.FsyncDirectory(full);
            state.Files = digests;
            AtomicFile.Write(Path.Combine(full, StateFile), s => JsonSerializer.Serialize(s, state, JsonOptions), FaultHook);
            committed = true;
            foreach (var f in TensorFiles)
            {
                Step($"rename {StagedName(f)} → {f}");
                File.Move(Path.Combine(full, StagedName(f)), Path.Combine(full, f), overwrite: true);
            }
            Step($"fsync folder {full}");
            Posix.FsyncDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not CheckpointSaveException)
        {
            if (staging && !committed)
                foreach (var f in TensorFiles) TryDelete(Path.Combine(full, StagedName(f)));   // give the space back
            throw new CheckpointSaveException(
                $"cannot save the checkpoint in '{dir}': {Reason(e)}; " +
                (committed ? "the new checkpoint is complete but not yet in place (the next load or save finishes it)."
                           : "the previous checkpoint there is intact. Free some space or choose another folder."), e);
        }
    }

    /// <summary>Whether <paramref name="dir"/> holds a checkpoint (its <c>state.json</c>).</summary>
    public static bool Exists(string dir) => File.Exists(Path.Combine(dir, StateFile));

    /// <summary>Whether <paramref name="dir"/> holds a complete checkpoint that Descent wrote (every tensor file matches <c>state.json</c>).</summary>
    public static bool IsComplete(string dir)
    {
        try
        {
            var state = ReadState(Path.Combine(Path.GetFullPath(dir), StateFile), out _);
            return TensorFiles.All(f => state.Files.ContainsKey(f)) && TensorFiles.All(f => ReadVerified(Path.GetFullPath(dir), f, state) is not null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Loads the checkpoint in <paramref name="dir"/>, checking the tensor files against the digests in <c>state.json</c>.</summary>
    /// <param name="dir">The checkpoint folder.</param>
    /// <param name="withOptimizer">False for inference: <c>optimizer.safetensors</c> is neither needed nor read.</param>
    public static LoadedCheckpoint Load(string dir, bool withOptimizer = true)
    {
        string full = Path.GetFullPath(dir);
        string statePath = Path.Combine(full, StateFile);
        for (int attempt = 0; ; attempt++)
        {
            if (!File.Exists(statePath))
                throw new FileNotFoundException($"No checkpoint in '{dir}': expected {StateFile}, {ModelFile}{(withOptimizer ? $" and {OptimizerFile}" : "")} there.", statePath);
            var state = ReadState(statePath, out byte[] stateBytes);
            try
            {
                var model = Parse(full, ModelFile, state);
                var opt = withOptimizer ? Parse(full, OptimizerFile, state) : new Dictionary<string, Tensor>();
                return new LoadedCheckpoint(full, model, opt, state);
            }
            catch (InvalidDataException) when (attempt < 2 && File.Exists(statePath) && !File.ReadAllBytes(statePath).AsSpan().SequenceEqual(stateBytes))
            {
                // A save committed a new state.json while we read: read the new checkpoint.
            }
        }
    }

    /// <summary>
    /// Finishes or drops what a killed save left in <paramref name="dir"/>: a staged file that <c>state.json</c> names
    /// (killed after the commit) takes its place; any other staged file, and every temporary of a checkpoint file
    /// (<c>.state.json.PID.GUID.tmp</c>), is deleted. Only names a save writes are touched.
    /// </summary>
    public static void Recover(string dir)
    {
        string full = Path.GetFullPath(dir);
        TrainingState? state = null;
        try { if (File.Exists(Path.Combine(full, StateFile))) state = ReadState(Path.Combine(full, StateFile), out _); }
        catch (InvalidDataException) { }   // not ours to judge here; a load reports it
        bool changed = false;
        foreach (var f in TensorFiles)
        {
            string staged = Path.Combine(full, StagedName(f)), target = Path.Combine(full, f);
            if (!File.Exists(staged)) continue;
            bool committed = state is not null && state.Files.TryGetValue(f, out var want)
                && Digest(File.ReadAllBytes(staged)) == want && !(File.Exists(target) && Digest(File.ReadAllBytes(target)) == want);
            Step(committed ? $"rename {StagedName(f)} → {f}" : $"delete {StagedName(f)}");
            if (committed) File.Move(staged, target, overwrite: true);
            else File.Delete(staged);
            changed = true;
        }
        foreach (var path in Directory.EnumerateFiles(full, ".*.tmp"))
        {
            string name = Path.GetFileName(path);
            if (!new[] { StateFile, ModelFile, OptimizerFile }.Any(f => AtomicFile.IsTemporaryOf(name, f))) continue;
            Step($"delete {name}");
            File.Delete(path);
            changed = true;
        }
        if (changed) Posix.FsyncDirectory(full);
    }

    private static FileDigest Stage(string dir, string file, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        string staged = Path.Combine(dir, StagedName(file));
        Step($"write {StagedName(file)}");
        using (var fs = new FileStream(staged, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
        {
            Safetensors.WriteTo(fs, tensors, new Dictionary<string, string> { ["format"] = "pt" });
            Step($"fsync {StagedName(file)}");
            fs.Flush(flushToDisk: true);
        }
        return Digest(File.ReadAllBytes(staged));   // what is on the disk, not what we meant to write
    }

    private static TrainingState ReadState(string statePath, out byte[] bytes)
    {
        bytes = File.ReadAllBytes(statePath);
        try
        {
            // Strict UTF-8 first: the JSON reader leaves strings it does not unescape unchecked, and a bad byte would
            // surface later, when a part of the state is read, as an exception no caller expects.
            new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(bytes);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new InvalidDataException($"{statePath}: byte offset {e.Index}: not UTF-8 text; the checkpoint's state.json was changed or damaged.");
        }
        TrainingState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(bytes, JsonOptions)
                ?? throw new InvalidDataException($"{statePath}: the file holds null; expected the training state object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{statePath}: byte offset {e.BytePositionInLine} of line {e.LineNumber + 1}: not a valid training state ({e.Message}).");
        }
        if (state.Files is null || state.Rng is null || state.Metrics is null)
            throw new InvalidDataException($"{statePath}: \"files\", \"rng\" and \"metrics\" must be present, not null; the file was changed or damaged.");
        return state;
    }

    private static Dictionary<string, Tensor> Parse(string dir, string file, TrainingState state)
    {
        string path = Path.Combine(dir, file);
        byte[] bytes = ReadVerified(dir, file, state) ?? throw Mismatch(dir, file, state);
        return Safetensors.Parse(bytes, path).ToTensors();
    }

    /// <summary>The bytes of <paramref name="file"/> that match <c>state.json</c>'s digest — from its name, else its staged name; null if none.</summary>
    private static byte[]? ReadVerified(string dir, string file, TrainingState state)
    {
        string path = Path.Combine(dir, file);
        if (!state.Files.TryGetValue(file, out var want))   // written before digests were recorded
            return File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"Checkpoint '{dir}' lacks {file}.", path);
        if (want?.Sha256 is not { Length: 64 })
            throw new InvalidDataException($"{Path.Combine(dir, StateFile)}: the digest recorded for {file} is missing or malformed; the file was changed or damaged.");
        // The name, the staged name, and the name again (a save may have renamed the staged file meanwhile).
        foreach (var p in new[] { path, Path.Combine(dir, StagedName(file)), path })
        {
            byte[] bytes;
            try { bytes = File.ReadAllBytes(p); }
            catch (FileNotFoundException) { continue; }
            if (Digest(bytes) == want) return bytes;
        }
        return null;
    }

    private static Exception Mismatch(string dir, string file, TrainingState state)
    {
        string path = Path.Combine(dir, file);
        if (!File.Exists(path)) return new FileNotFoundException($"Checkpoint '{dir}' lacks {file}.", path);
        var actual = Digest(File.ReadAllBytes(path));
        var want = state.Files[file];
        return new InvalidDataException($"{path}: {actual.Bytes} bytes with SHA-256 {actual.Sha256[..12]}…, but {StateFile} recorded {want.Bytes} bytes with {want.Sha256[..12]}… — the file was changed or belongs to another save.");
    }

    private static FileDigest Digest(byte[] bytes) => new(bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)));

    private static void Step(string what) => FaultHook?.Invoke(what);

    /// <summary>A short reason for a failed write: a full disk, a read-only one, no permission, or the system's message.</summary>
    internal static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "the file system there refuses new files and folders",
        IOException { HResult: 28 or unchecked((int)0x80070070) } => "the disk is full (no space left on the device)",
        IOException { HResult: 30 } => "the file system is read-only",
        _ => e.Message,
    };

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A checkpoint could not be saved (a full disk, a read-only one, no permission); the message says what, and that the previous checkpoint is intact.</summary>
public sealed class CheckpointSaveException(string message, Exception inner) : IOException(message, inner);
