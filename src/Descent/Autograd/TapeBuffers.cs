namespace Descent;

/// <summary>
/// What a tape learns about the buffers it allocates while it records, so that they can be planned afterwards
/// (<see cref="BufferPlanner"/>): which storage arrays were allocated (<see cref="Tensor.Zeros(DType, int[])"/>), which
/// tensors view each of them, which recorded computations touch each (its lifetime), and which must keep an array of
/// their own.
/// </summary>
/// <remarks>
/// A buffer keeps its own array (it is <i>kept</i>) when something reads or writes it outside the recorded
/// computations, so that its contents must survive between replays or after one:
/// <list type="bullet">
/// <item>a <b>constant</b>: touched while recording but outside any computation (filled once, e.g. a scalar, class weights);</item>
/// <item>a <b>gradient</b>: set as a tensor's <see cref="Tensor.Grad"/> (the optimizer reads it after the step);</item>
/// <item>an <b>output</b>: returned by the step (valid until the next call);</item>
/// <item><b>kept</b> on request (<see cref="Tape.Keep"/>: e.g. the activations a diagnostics probe reads after backward).</item>
/// </list>
/// Every other buffer is the step's scratch: each replay writes it before reading it, so buffers with disjoint lifetimes
/// may share memory.
/// </remarks>
internal sealed class TapeBuffers
{
    /// <summary>Why a buffer keeps its own array (None: it is planned).</summary>
    public enum Keeping { None, Constant, Gradient, Output, Kept }

    /// <summary>One storage array allocated while recording.</summary>
    public sealed class Buffer(Tensor root)
    {
        /// <summary>The tensor the array was allocated for.</summary>
        public Tensor Root { get; } = root;

        /// <summary>Every tensor made on the array while recording (the root first), each moved with it.</summary>
        public List<Tensor> Tensors { get; } = [root];

        /// <summary>The first computation (index in the tape) that touched it; −1 when none did.</summary>
        public int First { get; set; } = -1;

        /// <summary>The last computation that touched it; −1 when none did.</summary>
        public int Last { get; set; } = -1;

        /// <summary>Why it keeps its own array, if it does.</summary>
        public Keeping Keeping { get; set; }

        /// <summary>Elements of the array.</summary>
        public int Length => Root.Length;
    }

    private readonly Dictionary<object, Buffer> _byArray = new(ReferenceEqualityComparer.Instance);

    /// <summary>The buffers, in the order they were allocated.</summary>
    public List<Buffer> All { get; } = [];

    /// <summary>A tensor with a storage array of its own was just allocated.</summary>
    public void Allocated(Tensor t)
    {
        var array = t.StorageArray;
        if (array is null || _byArray.ContainsKey(array)) return;
        var b = new Buffer(t);
        _byArray.Add(array, b);
        All.Add(b);
    }

    /// <summary><paramref name="view"/> shares <paramref name="source"/>'s array.</summary>
    public void Viewed(Tensor source, Tensor view)
    {
        if (source.StorageArray is { } array && _byArray.TryGetValue(array, out var b)) b.Tensors.Add(view);
    }

    /// <summary>The elements of <paramref name="array"/> were read or written: by computation <paramref name="step"/>, or outside any (−1).</summary>
    public void Touched(object array, int step)
    {
        if (!_byArray.TryGetValue(array, out var b)) return;
        if (step < 0) { Keep(b, Keeping.Constant); return; }
        if (b.First < 0) b.First = step;
        b.Last = step;
    }

    /// <summary>Gives <paramref name="t"/>'s buffer (if it was allocated while recording) an array of its own.</summary>
    public void Keep(Tensor t, Keeping why)
    {
        if (t.StorageArray is { } array && _byArray.TryGetValue(array, out var b)) Keep(b, why);
    }

    private static void Keep(Buffer b, Keeping why)
    {
        if (b.Keeping == Keeping.None) b.Keeping = why;
    }
}
