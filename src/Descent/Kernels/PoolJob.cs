using System.Numerics;

namespace Descent.Kernels;

/// <summary>
/// The fast pooling kernels on the worker pool: the N·C planes are split into contiguous runs, one run per part, each
/// run computed by one thread with the kernel's per-plane loops (so the result does not depend on the split).
/// One instance per thread and element type; a call allocates nothing.
/// </summary>
internal sealed unsafe class PoolJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Below this many elements touched, one thread does it all (a pool call costs more than it saves). The batch-1 CNN's
    /// second pooling (12,544 in, 3,136 out) took 5.2 µs on one thread and 3.5 µs on two (Zen 3, quiet): 8 Ki, not 16 Ki.
    /// </summary>
    private const int Serial = 8 * 1024;

    private enum Kind { MaxForward, MaxBackward, AvgForward, AvgBackward, AdaptiveForward, AdaptiveBackward }

    [ThreadStatic] private static PoolJob<T>? _current;
    private T* _in, _out;
    private int* _argmax;
    private int _inLength, _outLength, _parts, _oh, _ow;
    private Pool2dShape _s;
    private bool _includePad;
    private Kind _kind;

    private static PoolJob<T> ForThisThread() => _current ??= new PoolJob<T>();

    public static void MaxForward(ReadOnlySpan<T> x, Pool2dShape s, Span<T> y, Span<int> argmax) =>
        ForThisThread().Start(Kind.MaxForward, x, y, argmax, s, false, 0, 0);

    public static void MaxBackward(ReadOnlySpan<T> gy, ReadOnlySpan<int> argmax, Pool2dShape s, Span<T> gx) =>
        ForThisThread().Start(Kind.MaxBackward, gy, gx, argmax, s, false, 0, 0);

    public static void AvgForward(ReadOnlySpan<T> x, Pool2dShape s, bool countIncludePad, Span<T> y) =>
        ForThisThread().Start(Kind.AvgForward, x, y, default, s, countIncludePad, 0, 0);

    public static void AvgBackward(ReadOnlySpan<T> gy, Pool2dShape s, bool countIncludePad, Span<T> gx) =>
        ForThisThread().Start(Kind.AvgBackward, gy, gx, default, s, countIncludePad, 0, 0);

    public static void AdaptiveForward(ReadOnlySpan<T> x, int planes, int h, int w, int oh, int ow, Span<T> y) =>
        ForThisThread().Start(Kind.AdaptiveForward, x, y, default, new Pool2dShape(planes, h, w, 1, 1, 1, 1, 0, 0), false, oh, ow);

    public static void AdaptiveBackward(ReadOnlySpan<T> gy, int planes, int h, int w, int oh, int ow, Span<T> gx) =>
        ForThisThread().Start(Kind.AdaptiveBackward, gy, gx, default, new Pool2dShape(planes, h, w, 1, 1, 1, 1, 0, 0), false, oh, ow);

    private void Start(Kind kind, ReadOnlySpan<T> input, Span<T> output, ReadOnlySpan<int> argmax, Pool2dShape s, bool includePad, int oh, int ow)
    {
        int planes = s.Planes;
        if (planes == 0) return;
        int threads = input.Length + output.Length < Serial ? 1 : Threading.MaxThreads;
        fixed (T* pi = input, po = output)
        fixed (int* pa = argmax)
        {
            _in = pi; _out = po; _argmax = pa;
            (_kind, _inLength, _outLength, _s, _includePad, _oh, _ow) = (kind, input.Length, output.Length, s, includePad, oh, ow);
            _parts = Math.Min(planes, 8 * threads);
            try { WorkerPool.Shared.Run(this, _parts, threads); }
            finally { _in = _out = null; _argmax = null; }
        }
    }

    public void Run(int part)
    {
        int planes = _s.Planes, p0 = (int)((long)part * planes / _parts), p1 = (int)((long)(part + 1) * planes / _parts);
        var input = new ReadOnlySpan<T>(_in, _inLength);
        var output = new Span<T>(_out, _outLength);
        int argmaxLength = _argmax == null ? 0 : _kind is Kind.MaxForward ? _outLength : _kind is Kind.MaxBackward ? _inLength : 0;
        var argmax = new Span<int>(_argmax, argmaxLength);
        switch (_kind)
        {
            case Kind.MaxForward: MaxPool2dKernel.ForwardPlanes(input, _s, output, argmax, p0, p1); break;
            case Kind.MaxBackward: MaxPool2dKernel.BackwardPlanes(input, argmax, _s, output, p0, p1); break;
            case Kind.AvgForward: AvgPool2dKernel.ForwardPlanes(input, _s, _includePad, output, p0, p1); break;
            case Kind.AvgBackward: AvgPool2dKernel.BackwardPlanes(input, _s, _includePad, output, p0, p1); break;
            case Kind.AdaptiveForward: AdaptiveAvgPool2dKernel.ForwardPlanes(input, _s.H, _s.W, _oh, _ow, output, p0, p1); break;
            case Kind.AdaptiveBackward: AdaptiveAvgPool2dKernel.BackwardPlanes(input, _s.H, _s.W, _oh, _ow, output, p0, p1); break;
        }
    }
}
