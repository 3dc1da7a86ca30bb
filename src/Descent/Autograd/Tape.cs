using System.Diagnostics;

namespace Descent;

/// <summary>
/// A recording of the computations one eager run made — forward, loss and backward — in order, each one bound to the
/// buffers it read and wrote: tinygrad's <c>TinyJit</c> and CUDA Graphs applied to Descent's ops. <see cref="Replay"/>
/// runs them again on the same buffers: the same kernels, no graph objects, no allocation, and so bitwise the
/// numbers an eager run would give.
/// </summary>
/// <remarks>
/// <para>Every op splits its work in two: what it <i>allocates</i> (outputs, saved buffers, gradients; done once, while
/// the tape records) and what it <i>computes</i> into those buffers (a closure passed to <see cref="Run(string, Action)"/>,
/// which runs it at once and, while a tape records on this thread, appends it). A closure reads everything that may
/// change between steps when it runs — the input batch's elements, a random generator's state, a learning rate — and
/// keeps nothing from the step it was recorded in, except buffers.</para>
/// <para>Memory: while it records, the tape also notes which buffers it allocated and which computations touch each
/// (<see cref="TapeBuffers"/>); <see cref="Plan"/> then moves the buffers that hold nothing between replays into a shared
/// arena (<see cref="TapeArena"/>), where buffers with disjoint lifetimes share memory (<see cref="BufferPlanner"/>).
/// The computations read their tensors' storage when they run, so they follow the move.</para>
/// <para>Limits, as for every capture-and-replay scheme: the recorded function must be static in shape and control flow.
/// A new input shape or mode needs its own tape (<see cref="CapturedStep"/> keys its tapes by them), and a computation
/// that depends on a value read during the step (e.g. <c>if (loss.Item() &gt; 1) …</c>) is frozen at capture.</para>
/// </remarks>
internal sealed class Tape
{
    [ThreadStatic] private static Tape? _recording;
    [ThreadStatic] private static bool _inside;

    private static int _recorders;   // tapes recording on any thread: while 0, tensors skip the bookkeeping below at once

    private readonly List<Action> _steps = [];
    private readonly List<string?> _names = [];
    private int _named;
    private TapeBuffers? _buffers = new();   // while recording, and until planned

    /// <summary>What planning found and did (null before <see cref="Plan"/>), summed when first asked for: a diagnostic
    /// that a training run never reads, so its grouping and sorting are not compiled on the way to the first step.</summary>
    public TapeMemory? Memory => _memory ??= _planned is { } p ? TapeMemory.Of(p, _names, _arenaBytes) : null;

    private TapeMemory? _memory;
    private TapeMemory.BufferSize[]? _planned;   // each buffer's bytes, keeping and first computation, as planning left them
    private long _arenaBytes;

    /// <summary>The recorded computations, in order.</summary>
    public int Count => _steps.Count;

    /// <summary>The name of each recorded computation (the op and pass that made it, e.g. "linear backward").</summary>
    public IReadOnlyList<string?> Names => _names;

    /// <summary>True while a tape records on this thread.</summary>
    public static bool IsRecording => _recording is not null;

    /// <summary>
    /// Runs <paramref name="compute"/> now and, while a tape records on this thread, appends it to the tape. A call made
    /// from inside a recorded computation is part of that computation and is not recorded again.
    /// </summary>
    /// <param name="name">What it computes, as a profile shows it (numbered by its place in the tape); null for
    /// bookkeeping too small to time on its own (its time goes to the next named computation).</param>
    /// <param name="compute">The computation.</param>
    internal static void Run(string? name, Action compute)
    {
        var tape = _recording;
        if (tape is null || _inside) { compute(); return; }
        _inside = true;
        try { compute(); }
        finally { _inside = false; }
        tape._steps.Add(compute);
        tape._names.Add(name is null ? null : $"{tape._named + 1,2}. {name}");
        if (name is not null) tape._named++;
    }

    /// <summary>Records every computation run on this thread into this tape until the returned scope is disposed.</summary>
    internal RecordingScope Record()
    {
        if (_recording is not null) throw new InvalidOperationException("Tape: a tape is already recording on this thread (captures do not nest).");
        if (_buffers is null) throw new InvalidOperationException("Tape: a planned tape cannot record again.");
        _recording = this;
        Interlocked.Increment(ref _recorders);
        return new RecordingScope();
    }

    /// <summary>Ends a <see cref="Record"/> scope.</summary>
    internal readonly struct RecordingScope : IDisposable
    {
        public void Dispose()
        {
            _recording = null;
            Interlocked.Decrement(ref _recorders);
        }
    }

    /// <summary>True while some tape records on some thread: only then do tensors report allocations and accesses.</summary>
    internal static bool Tracking => Volatile.Read(ref _recorders) != 0;

    /// <summary>A tensor with a storage array of its own was allocated (noted by the tape recording on this thread).</summary>
    internal static void Allocated(Tensor t) => _recording?._buffers?.Allocated(t);

    /// <summary>A view of <paramref name="source"/>'s storage was made.</summary>
    internal static void Viewed(Tensor source, Tensor view) => _recording?._buffers?.Viewed(source, view);

    /// <summary>A storage array's elements were read or written: inside the computation being recorded, or outside any.</summary>
    internal static void Touched(object array)
    {
        var tape = _recording;
        tape?._buffers?.Touched(array, _inside ? tape._steps.Count : -1);
    }

    /// <summary>A tensor escapes the recorded computations (e.g. becomes a gradient the optimizer reads): its buffer keeps its array.</summary>
    internal static void Escaped(Tensor t, TapeBuffers.Keeping why) => _recording?._buffers?.Keep(t, why);

    /// <summary>
    /// Keeps <paramref name="t"/>'s buffer out of the planned arena (no-op when no tape records on this thread): for a tensor
    /// made inside a captured step that its caller reads after the step, other than the step's outputs and gradients.
    /// </summary>
    internal static void Keep(Tensor t) => Escaped(t, TapeBuffers.Keeping.Kept);

    /// <summary>
    /// Ends recording's bookkeeping: keeps the buffers of <paramref name="outputs"/> and moves every other buffer that a
    /// computation touched and nothing outside them reads into <paramref name="arena"/>, at the offsets
    /// <see cref="BufferPlanner"/> gives (float32 and float64 planned apart).
    /// </summary>
    internal void Plan(ReadOnlySpan<Tensor> outputs, TapeArena arena)
    {
        var buffers = _buffers ?? throw new InvalidOperationException("Tape: planned twice.");
        _buffers = null;
        foreach (var o in outputs) buffers.Keep(o, TapeBuffers.Keeping.Output);
        var planned = buffers.All.Where(b => b.Keeping == TapeBuffers.Keeping.None && b.First >= 0).ToList();
        var moves = new List<TapeArena.Placement>();
        int floatLength = PlanDType(planned.Where(b => b.Root.DType == DType.Float32).ToList(), moves);
        int doubleLength = PlanDType(planned.Where(b => b.Root.DType == DType.Float64).ToList(), moves);
        arena.Place(moves, floatLength, doubleLength);
        _planned = new TapeMemory.BufferSize[buffers.All.Count];
        for (int i = 0; i < _planned.Length; i++)
        {
            var b = buffers.All[i];
            _planned[i] = new TapeMemory.BufferSize((long)b.Length * (b.Root.DType == DType.Float32 ? 4 : 8), b.Keeping, b.First);
        }
        _arenaBytes = floatLength * 4L + doubleLength * 8L;
    }

    /// <summary>Plans buffers of one dtype; adds each tensor's move and returns the arena length they need.</summary>
    private int PlanDType(List<TapeBuffers.Buffer> buffers, List<TapeArena.Placement> moves)
    {
        var requests = new BufferPlanner.Request[buffers.Count];
        for (int i = 0; i < requests.Length; i++) requests[i] = new BufferPlanner.Request(buffers[i].Length, buffers[i].First, buffers[i].Last);
        var (offsets, length) = BufferPlanner.Plan(requests);
        if (length > Array.MaxLength)
        {
            foreach (var b in buffers) b.Keeping = TapeBuffers.Keeping.Kept;   // too large for one array: each keeps its own
            return 0;
        }
        for (int i = 0; i < buffers.Count; i++)
            foreach (var t in buffers[i].Tensors) moves.Add(new TapeArena.Placement(this, t, (int)offsets[i] + t.Offset));
        return (int)length;
    }

    /// <summary>Runs the recorded computations again, in order, on the buffers they were recorded with.</summary>
    /// <param name="profile">When given, marks each computation's end under its name (allocation-free).</param>
    public void Replay(IStepTimer? profile = null)
    {
        Debug.Assert(_recording is null, "replaying while recording");
        var steps = _steps;
        if (profile is null)
        {
            for (int i = 0; i < steps.Count; i++) steps[i]();
            return;
        }
        for (int i = 0; i < steps.Count; i++)
        {
            steps[i]();
            if (_names[i] is { } name) profile.Mark(name);
        }
    }
}

/// <summary>Something that times the phases of a step: <see cref="Mark"/> ends the phase named (a string made once, not per step).</summary>
internal interface IStepTimer
{
    /// <summary>Ends phase <paramref name="name"/> and starts the next.</summary>
    void Mark(string name);
}
