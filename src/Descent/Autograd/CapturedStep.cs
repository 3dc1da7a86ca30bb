namespace Descent;

/// <summary>
/// A function of tensors captured once per input shape and replayed after that (tinygrad's <c>TinyJit</c>, JAX's
/// <c>jit</c> cache, CUDA Graphs): the first call with a given key runs <paramref name="body"/> eagerly while a
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
/// </remarks>
/// <param name="body">The step: (inputs, labels, mode) → outputs.</param>
public sealed class CapturedStep(Func<Tensor[], int[], int, Tensor[]> body)
{
    private readonly List<Entry> _recent = [];   // a linear search of a few entries: no hashing of shapes per call

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
        using (tape.Record()) outputs = body(placeholders, ownLabels, mode);
        var e = new Entry { Key = key, Inputs = placeholders, Labels = ownLabels, Tape = tape, Outputs = outputs };
        _recent.Add(e);
        Captures++;
        LastReplayed = false;
        LastTape = tape;
        return outputs;
    }
}
