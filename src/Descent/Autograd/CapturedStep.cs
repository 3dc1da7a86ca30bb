namespace Descent;

/// <summary>
/// A function of tensors captured once per input shape and replayed after that (tinygrad's <c>TinyJit</c>, JAX's
/// <c>jit</c> cache, CUDA Graphs): the first call with a given key runs the body eagerly while a
/// <see cref="Tape"/> records its computations; later calls with that key point the recorded inputs at the new
/// tensors and replay the tape — the same kernels on the same buffers, no graph, no allocation.
/// </summary>
/// <remarks>
/// <para>The key is the inputs' shapes and dtypes, the number of labels, and a caller's mode (e.g. training or evaluation).
/// A last, smaller batch gets a tape of its own. <see cref="Invalidate"/> drops every tape (call it when the parameter
/// set changes: <c>Module.To</c>, a layer added, an optimizer rebuilt).</para>
/// <para>The body receives stand-ins for the inputs (<see cref="Tensor.Rebind"/>: they read the caller's tensors in place)
/// and a labels array of its own (refilled from the caller's labels on every call). It must be static in shape and
/// control flow. The outputs it returns are the recorded buffers: valid until the next call.</para>
/// <para>Memory is planned (<see cref="Tape.Plan"/>): the buffers the body allocates, other than its outputs, the gradients
/// it leaves in tensors' <see cref="Tensor.Grad"/> and the constants it fills while recording, are scratch that tapes
/// share — buffers whose lifetimes in a tape do not overlap use the same memory, and the tapes of every key use one arena.
/// So a tensor made inside the body is valid only inside it, unless it is returned.</para>
/// </remarks>
public sealed class CapturedStep
{
    private readonly Func<Tensor[], int[], int, Tensor[]> _body;
    private readonly List<Entry> _recent = [];   // a linear search of a few entries: no hashing of shapes per call

    /// <summary>A step with an arena of its own.</summary>
    /// <param name="body">The step: (inputs, labels, mode) → outputs.</param>
    public CapturedStep(Func<Tensor[], int[], int, Tensor[]> body) : this(body, new TapeArena()) { }

    /// <summary>A step whose tapes plan their buffers in <paramref name="arena"/>, shared with steps that never run at the same time.</summary>
    internal CapturedStep(Func<Tensor[], int[], int, Tensor[]> body, TapeArena arena) => (_body, Arena) = (body, arena);

    /// <summary>The memory the planned buffers of this step's tapes live in.</summary>
    internal TapeArena Arena { get; }

    /// <summary>Each recorded tape's memory (see <see cref="TapeMemory"/>), in the order they were recorded.</summary>
    internal IEnumerable<TapeMemory> Memory => _recent.Select(e => e.Tape.Memory).OfType<TapeMemory>();

    private sealed class Entry
    {
        public required Key Key;
        public required Tensor[] Inputs;     // placeholders
        public required int[] Labels;
        public required Tape Tape;
        public required Tensor[] Outputs;
    }

    private readonly record struct Key(int Labels, int Mode);   // with the inputs' shapes and dtypes (compared in Find)

    /// <summary>Tapes recorded so far (one per key).</summary>
    public int Captures { get; private set; }

    /// <summary>Whether the last call replayed a tape (false: it recorded one).</summary>
    public bool LastReplayed { get; private set; }

    /// <summary>The tape of the last call.</summary>
    internal Tape? LastTape { get; private set; }

    /// <summary>Times each replayed computation while set.</summary>
    internal IStepTimer? Timer { get; set; }

    /// <summary>Drops every recorded tape: the next call of each key records again.</summary>
    public void Invalidate()
    {
        Arena.Forget(_recent.Select(e => e.Tape).ToHashSet());
        _recent.Clear();
    }

    /// <summary>Runs the step on <paramref name="inputs"/> and <paramref name="labels"/>: records it the first time for this key, replays it after.</summary>
    public Tensor[] Run(ReadOnlySpan<Tensor> inputs, ReadOnlySpan<int> labels, int mode = 0)
    {
        var e = Find(inputs, labels.Length, mode);
        if (e is null) return Record(inputs, labels, mode);
        for (int i = 0; i < inputs.Length; i++) e.Inputs[i].Rebind(inputs[i]);
        labels.CopyTo(e.Labels);
        LastReplayed = true;
        LastTape = e.Tape;
        e.Tape.Replay(Timer);
        return e.Outputs;
    }

    private Entry? Find(ReadOnlySpan<Tensor> inputs, int labels, int mode)
    {
        foreach (var e in _recent)
        {
            if (e.Key.Labels != labels || e.Key.Mode != mode || e.Inputs.Length != inputs.Length) continue;
            bool same = true;
            for (int i = 0; same && i < inputs.Length; i++)
                same = inputs[i].DType == e.Inputs[i].DType && inputs[i].Shape.SequenceEqual(e.Inputs[i].Shape);
            if (same) return e;
        }
        return null;
    }

    private Tensor[] Record(ReadOnlySpan<Tensor> inputs, ReadOnlySpan<int> labels, int mode)
    {
        var key = new Key(labels.Length, mode);
        var placeholders = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].RequiresGrad)
                throw new ArgumentException($"CapturedStep: input {i} ({Shape.Format(inputs[i].Shape)}) requires grad; the inputs are data (a batch, its targets), and the step reads its parameters itself.");
            placeholders[i] = Tensor.Placeholder(inputs[i]);
        }
        var ownLabels = labels.ToArray();
        var tape = new Tape();
        Tensor[] outputs;
        using (tape.Record()) outputs = _body(placeholders, ownLabels, mode);
        tape.Plan(outputs, Arena);
        var e = new Entry { Key = key, Inputs = placeholders, Labels = ownLabels, Tape = tape, Outputs = outputs };
        _recent.Add(e);
        Captures++;
        LastReplayed = false;
        LastTape = tape;
        return outputs;
    }
}
