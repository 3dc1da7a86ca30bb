using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>
/// <see cref="Conv2dKernel"/> on the worker pool: forward and ∂L/∂x take one sample per part (the packed forward pass,
/// with fewer samples than cores, a range of a sample's pixels: <see cref="Conv2dPacked.PixelParts"/>), ∂L/∂W one chunk of
/// <see cref="Conv2dKernel.ChunkSamples"/> samples per part (then a second pass adds the chunks' partial sums in order,
/// split over fixed ranges of the weight); ∂L/∂b one output channel per part. Each running part borrows a free im2col slot of the scratch.
/// </summary>
internal sealed unsafe class Conv2dJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    private enum Pass { Forward, ForwardPacked, ForwardDirect, BackwardInput, BackwardWeight, SumChunks, BiasGradient }

    /// <summary>Weight elements per part of the chunk sum.</summary>
    private const int SumBlock = 4096;

    [ThreadStatic] private static Conv2dJob<T>? _current;
    private readonly int[] _busy = new int[Environment.ProcessorCount];   // 1 while a part holds im2col slot i
    private T* _a, _b, _bias, _out, _scratch, _packed;
    private int _biasLength, _slots, _pixelParts = 1;
    private long _colLength;
    private GemmIsa _isa;
    private ConvEpilogue<T> _epilogue;
    private Conv2dGeometry _g;
    private Pass _pass;

    public static Conv2dJob<T> ForThisThread() => _current ??= new Conv2dJob<T>();

    public void Forward(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, in Conv2dGeometry g, Span<T> y, Span<T> scratch,
        ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, bool relu)
    {
        fixed (T* px = x, pw = w, pb = bias, py = y, ps = scratch, pscale = scale, pshift = shift)
        {
            _a = px; _b = pw; _bias = pb; _biasLength = bias.Length; _out = py;
            _epilogue = scale.IsEmpty ? default : new ConvEpilogue<T>(pscale, pshift, relu);
            try
            {
                if (Conv2dDirect.Applies(g)) LaunchDirect(g, ps);
                else if (Conv2dPacked.Applies(g)) LaunchPacked(g, pw, ps);
                else Launch(Pass.Forward, g, ps, g.Batch);
            }
            finally { Clear(); }
        }
    }

    public void BackwardInput(ReadOnlySpan<T> gy, ReadOnlySpan<T> w, in Conv2dGeometry g, Span<T> gx, Span<T> scratch)
    {
        fixed (T* pgy = gy, pw = w, pgx = gx, ps = scratch)
        {
            _a = pgy; _b = pw; _out = pgx;
            try
            {
                if (Conv2dPacked.Flipped(g) is { } f)
                {
                    // ∂L/∂x = the forward convolution of ∂L/∂y with the flipped kernel W′, kept at the start of the scratch.
                    Conv2dPacked.FlipWeights(w, g, scratch);
                    _bias = null; _biasLength = 0;
                    LaunchPacked(f, ps, ps + g.WeightLength);
                }
                else Launch(Pass.BackwardInput, g, ps, g.Batch);
            }
            finally { Clear(); }
        }
    }

    public void BackwardWeight(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, in Conv2dGeometry g, Span<T> gw, Span<T> scratch)
    {
        fixed (T* pgy = gy, px = x, pgw = gw, ps = scratch)
        {
            _a = pgy; _b = px; _out = pgw;
            int chunks = Conv2dKernel.Chunks(g);
            try
            {
                Launch(Pass.BackwardWeight, g, ps, chunks);
                if (chunks > 1) Launch(Pass.SumChunks, g, ps, (int)((g.WeightLength + SumBlock - 1) / SumBlock));
            }
            finally { Clear(); }
        }
    }

    /// <summary>∂L/∂b, one output channel per part.</summary>
    public void BiasGradient(ReadOnlySpan<T> gy, in Conv2dGeometry g, Span<T> gb)
    {
        fixed (T* pgy = gy, pgb = gb)
        {
            _a = pgy; _out = pgb;
            try { Launch(Pass.BiasGradient, g, null, g.OutChannels); }
            finally { Clear(); }
        }
    }

    private void Launch(Pass pass, in Conv2dGeometry g, T* scratch, int parts)
    {
        _pass = pass; _g = g; _scratch = scratch;
        _slots = Conv2dKernel.Slots(g); _colLength = Conv2dKernel.ColumnLength(g);
        WorkerPool.Shared.Run(this, parts, Math.Min(Threading.MaxThreads, _slots));
    }

    /// <summary>
    /// The packed forward pass (<see cref="Conv2dPacked"/>) of geometry <paramref name="g"/>: its weights w packed once at
    /// <paramref name="scratch"/>, then one sample per part, each borrowing a slot after them.
    /// </summary>
    private void LaunchPacked(in Conv2dGeometry g, T* w, T* scratch)
    {
        _isa = GemmMicroKernel.Isa;
        Conv2dPacked.PackWeights(_isa, w, g, scratch);
        _packed = scratch;
        _pass = Pass.ForwardPacked; _g = g; _scratch = scratch + Conv2dPacked.WeightsLength(g);
        _slots = Conv2dPacked.Slots(g); _colLength = Conv2dPacked.SlotLength(g); _pixelParts = Conv2dPacked.PixelParts(g);
        WorkerPool.Shared.Run(this, g.Batch * _pixelParts, Math.Min(Threading.MaxThreads, _slots));
    }

    /// <summary>The direct forward pass (<see cref="Conv2dDirect"/>): a part is a sample (or a range of its channels), each borrowing a padded-image slot.</summary>
    private void LaunchDirect(in Conv2dGeometry g, T* scratch)
    {
        _pass = Pass.ForwardDirect; _g = g; _scratch = scratch;
        _slots = Conv2dDirect.Slots(g); _colLength = Conv2dDirect.SlotLength(g); _pixelParts = Conv2dDirect.ChannelParts(g);
        WorkerPool.Shared.Run(this, g.Batch * _pixelParts, Math.Min(Threading.MaxThreads, _slots));
    }

    private void Clear()
    {
        _a = _b = _bias = _out = _scratch = _packed = null;
        _epilogue = default;
    }

    public void Run(int part)
    {
        var g = _g;
        long xLen = (long)g.InChannels * g.Height * g.Width, yLen = (long)g.OutChannels * g.OutPlane;
        if (_pass == Pass.SumChunks) { SumChunks(part); return; }
        if (_pass == Pass.BiasGradient)
        {
            Conv2dKernel.BiasGradientChannel(new ReadOnlySpan<T>(_a, (int)(g.Batch * yLen)), g, part, new Span<T>(_out, g.OutChannels));
            return;
        }
        int slot = Claim();
        try
        {
            var col = new Span<T>(_scratch + slot * _colLength, (int)_colLength);
            switch (_pass)
            {
                case Pass.ForwardPacked:
                    int n = part / _pixelParts;
                    Conv2dPacked.ForwardSample(_isa, _a + n * xLen, _packed, _biasLength == 0 ? null : _bias, g, _out + n * yLen, _scratch + slot * _colLength,
                        part % _pixelParts, _pixelParts, _epilogue);
                    break;
                case Pass.ForwardDirect:
                    int nd = part / _pixelParts;
                    Conv2dDirect.ForwardSample(_a + nd * xLen, _b, _biasLength == 0 ? null : _bias, g, _out + nd * yLen, _scratch + slot * _colLength,
                        part % _pixelParts, _pixelParts, _epilogue);
                    break;
                case Pass.Forward:
                    Conv2dKernel.ForwardSample(new ReadOnlySpan<T>(_a + part * xLen, (int)xLen), new ReadOnlySpan<T>(_b, (int)g.WeightLength),
                        new ReadOnlySpan<T>(_bias, _biasLength), g, new Span<T>(_out + part * yLen, (int)yLen), col, _epilogue);
                    break;
                case Pass.BackwardInput:
                    Conv2dKernel.BackwardInputSample(new ReadOnlySpan<T>(_a + part * yLen, (int)yLen), new ReadOnlySpan<T>(_b, (int)g.WeightLength),
                        g, new Span<T>(_out + part * xLen, (int)xLen), col);
                    break;
                default:
                    int n0 = part * Conv2dKernel.ChunkSamples, n1 = Math.Min(g.Batch, n0 + Conv2dKernel.ChunkSamples);
                    T* acc = part == 0 ? _out : Partial(part);
                    Conv2dKernel.BackwardWeightChunk(new ReadOnlySpan<T>(_a, (int)(g.Batch * yLen)), new ReadOnlySpan<T>(_b, (int)(g.Batch * xLen)), g, n0, n1,
                        new Span<T>(acc, (int)g.WeightLength), col);
                    break;
            }
        }
        finally { Volatile.Write(ref _busy[slot], 0); }
    }

    /// <summary>The partial ∂L/∂W of chunk c ≥ 1, after the im2col slots.</summary>
    private T* Partial(int c) => _scratch + _slots * _colLength + (c - 1) * _g.WeightLength;

    /// <summary>∂L/∂W[i] = chunk 0 + chunk 1 + … in chunk order, for weights [part·SumBlock, …).</summary>
    private void SumChunks(int part)
    {
        long i0 = (long)part * SumBlock;
        int len = (int)Math.Min(SumBlock, _g.WeightLength - i0);
        var sum = new Span<T>(_out + i0, len);
        for (int c = 1; c < Conv2dKernel.Chunks(_g); c++) TensorPrimitives.Add(sum, new ReadOnlySpan<T>(Partial(c) + i0, len), sum);
    }

    /// <summary>A free im2col slot (there are as many as threads that can run parts at once).</summary>
    private int Claim()
    {
        while (true)
        {
            for (int i = 0; i < _slots; i++)
                if (Volatile.Read(ref _busy[i]) == 0 && Interlocked.CompareExchange(ref _busy[i], 1, 0) == 0) return i;
            Thread.SpinWait(1);
        }
    }
}
