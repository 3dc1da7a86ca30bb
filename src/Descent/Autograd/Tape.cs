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
/// <para>Limits, as for every capture-and-replay scheme: the recorded function must be static in shape and control flow.
/// A new input shape or mode needs its own tape (<see cref="CapturedStep"/> keys its tapes by them), and a computation
/// that depends on a value read during the step (e.g. <c>if (loss.Item() &gt; 1) …</c>) is frozen at capture.</para>
/// </remarks>
internal sealed class Tape
{
    [ThreadStatic] private static Tape? _recording;
    [ThreadStatic] private static bool _inside;

    private readonly List<Action> _steps = [];
    private readonly List<string?> _names = [];
    private int _named;

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
        _recording = this;
        return new RecordingScope();
    }

    /// <summary>Ends a <see cref="Record"/> scope.</summary>
    internal readonly struct RecordingScope : IDisposable
    {
        public void Dispose() => _recording = null;
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
