using System.Numerics;
using System.Numerics.Tensors;

namespace Descent.Kernels;

/// <summary>
/// The fast 2-D convolution, one sample at a time, the samples spread over the worker pool (see docs/convolution.md for
/// the measurements behind the choices): the forward pass, and ∂L/∂x of a stride-1 convolution with 64 input channels or
/// more, run <see cref="Conv2dPacked"/> (im2col done by the GEMM's packing); the rest is im2col (<see cref="Im2Col"/>)
/// and the packed <see cref="Gemm"/>.
/// <code>
///   forward   yₙ,g [Cout/G, P]  = W_g [Cout/G, K] · colₙ,g [K, P]   (+ b per row)
///   ∂L/∂x     gcol [K, P]        = W_gᵀ · gyₙ,g,   gxₙ += col2im(gcol)
///   ∂L/∂W     gW_g [Cout/G, K]  = Σₙ gyₙ,g · colₙ,gᵀ               (K = Cin/G·kh·kw, P = Hout·Wout)
/// </code>
/// Bits: a part is one sample (forward, ∂x) or a fixed chunk of <see cref="ChunkSamples"/> samples (∂W, whose partial
/// sums are then added in chunk order), and every GEMM's shape depends on the geometry alone, so 1 thread and N threads
/// give the same numbers. A part borrows one of the scratch's im2col slots (at most one part per thread runs at once).
/// A 1×1 kernel with stride 1 and no padding needs no im2col: a sample is its own column matrix.
/// </summary>
internal static class Conv2dKernel
{
    /// <summary>Samples per partial sum of ∂L/∂W.</summary>
    public const int ChunkSamples = 8;

    /// <summary>im2col buffers: one per thread that can run a part at once.</summary>
    public static int Slots(in Conv2dGeometry g) => Math.Max(1, Math.Min(Environment.ProcessorCount, g.Batch));

    /// <summary>Partial sums of ∂L/∂W (the first is ∂L/∂W itself).</summary>
    public static int Chunks(in Conv2dGeometry g) => Math.Max(1, (g.Batch + ChunkSamples - 1) / ChunkSamples);

    /// <summary>Elements of one im2col buffer (0 when none is needed).</summary>
    public static long ColumnLength(in Conv2dGeometry g) => g.IsPointwise ? 0 : (long)g.FilterLength * g.OutPlane;

    /// <summary>Scratch: <see cref="Slots"/> im2col buffers, then <see cref="Chunks"/> − 1 partial ∂L/∂W.</summary>
    public static int ScratchLength(in Conv2dGeometry g)
    {
        long n = Slots(g) * ColumnLength(g) + (Chunks(g) - 1) * g.WeightLength;
        // The packed forward pass: packed weights, then one slot per thread; ∂L/∂x as a forward pass: W′ first.
        if (Conv2dDirect.Applies(g)) n = Math.Max(n, Conv2dDirect.Slots(g) * Conv2dDirect.SlotLength(g));
        if (Conv2dPacked.Applies(g)) n = Math.Max(n, Conv2dPacked.WeightsLength(g) + Conv2dPacked.Slots(g) * Conv2dPacked.SlotLength(g));
        if (Conv2dPacked.Flipped(g) is { } f) n = Math.Max(n, g.WeightLength + Conv2dPacked.WeightsLength(f) + Conv2dPacked.Slots(f) * Conv2dPacked.SlotLength(f));
        if (n > Array.MaxLength) throw new ArgumentException($"Conv2d: the im2col scratch of {n} elements is too large for {g}; use a smaller batch.");
        return (int)n;
    }

    /// <summary>y [N, Cout, Hout, Wout] = conv2d(x, w) + b (then the epilogue, <see cref="ConvEpilogue{T}"/>), one sample per part.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, in Conv2dGeometry g, Span<T> y, Span<T> scratch,
        ReadOnlySpan<T> scale = default, ReadOnlySpan<T> shift = default, bool relu = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        g.CheckSpans(x.Length, w.Length, y.Length, "Conv2d");
        if (!bias.IsEmpty && bias.Length != g.OutChannels) throw new ArgumentException($"Conv2d: bias has {bias.Length} elements, expected {g.OutChannels}.");
        CheckEpilogue(g, scale.Length, shift.Length, relu);
        CheckScratch(g, scratch.Length);
        if (g.OutputLength == 0) return;
        Conv2dJob<T>.ForThisThread().Forward(x, w, bias, g, y, scratch, scale, shift, relu);
    }

    /// <summary>The epilogue's operands: scale and shift both [Cout] or both empty; the ReLU only after them.</summary>
    internal static void CheckEpilogue(in Conv2dGeometry g, int scaleLength, int shiftLength, bool relu)
    {
        if (scaleLength != shiftLength || (scaleLength != 0 && scaleLength != g.OutChannels) || (relu && scaleLength == 0))
            throw new ArgumentException($"Conv2d: the epilogue's scale has {scaleLength} and shift {shiftLength} elements (relu {relu}), expected both {g.OutChannels} or both 0 (relu needs them).");
    }

    /// <summary>∂L/∂x [N, Cin, H, W] (overwritten), one sample per part.</summary>
    public static void BackwardInput<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> w, in Conv2dGeometry g, Span<T> gx, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        g.CheckSpans(gx.Length, w.Length, gy.Length, "Conv2dBackwardInput");
        CheckScratch(g, scratch.Length);
        gx.Clear();
        if (g.OutputLength == 0) return;
        Conv2dJob<T>.ForThisThread().BackwardInput(gy, w, g, gx, scratch);
    }

    /// <summary>∂L/∂W (overwritten; skipped when empty), in chunks of samples, and ∂L/∂b (when not empty), one channel per part.</summary>
    public static void BackwardWeight<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, in Conv2dGeometry g, Span<T> gw, Span<T> gb, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        g.CheckSpans(x.Length, gw.IsEmpty ? (int)g.WeightLength : gw.Length, gy.Length, "Conv2dBackwardWeight");
        if (!gb.IsEmpty && gb.Length != g.OutChannels) throw new ArgumentException($"Conv2dBackwardWeight: bias gradient has {gb.Length} elements, expected {g.OutChannels}.");
        CheckScratch(g, scratch.Length);
        if (!gb.IsEmpty)
        {
            if (g.OutputLength == 0) gb.Clear();
            else Conv2dJob<T>.ForThisThread().BiasGradient(gy, g, gb);
        }
        if (gw.IsEmpty) return;
        gw.Clear();
        if (g.OutputLength == 0) return;
        Conv2dJob<T>.ForThisThread().BackwardWeight(gy, x, g, gw, scratch);
    }

    /// <summary>∂L/∂b[o] = Σₙ Σₚ gy[n, o, p]: each row's cascade sum in float64 (<see cref="CascadeSum"/>), added in sample order, rounded once.</summary>
    internal static void BiasGradientChannel<T>(ReadOnlySpan<T> gy, in Conv2dGeometry g, int o, Span<T> gb) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int plane = g.OutPlane;
        double s = 0;
        for (int n = 0; n < g.Batch; n++) s += CascadeSum.Sum(gy.Slice((n * g.OutChannels + o) * plane, plane));
        gb[o] = T.CreateTruncating(s);
    }

    private static void CheckScratch(in Conv2dGeometry g, int length)
    {
        int need = ScratchLength(g);
        if (length < need) throw new ArgumentException($"Conv2d: scratch has {length} elements, the fast kernel needs {need} for {g} (size it with Conv2dScratchLength).");
    }

    /// <summary>One sample's forward: yₙ = W·colₙ (+ b, then the epilogue), group by group.</summary>
    internal static unsafe void ForwardSample<T>(ReadOnlySpan<T> xn, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, in Conv2dGeometry g, Span<T> yn, Span<T> col,
        in ConvEpilogue<T> epilogue = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.FilterLength, p = g.OutPlane, co = g.GroupOut, hw = g.Height * g.Width;
        for (int grp = 0; grp < g.Groups; grp++)
        {
            ReadOnlySpan<T> b;                                                   // [K, P]
            if (g.IsPointwise) b = xn.Slice(grp * g.GroupIn * hw, k * p);
            else { Im2Col.Gather(xn, grp * g.GroupIn, g, col); b = col; }
            var yg = yn.Slice(grp * co * p, co * p);                             // [Cout/G, P]
            Gemm.Run(false, false, co, p, k, T.One, w.Slice(grp * co * k, co * k), k, b, p, T.Zero, yg, p, default, GemmActivation.None);
            if (!bias.IsEmpty)
                for (int o = 0; o < co; o++) { var row = yg.Slice(o * p, p); TensorPrimitives.Add(row, bias[grp * co + o], row); }
            for (int o = 0; o < co; o++) epilogue.Apply(yg.Slice(o * p, p), grp * co + o);
        }
    }

    /// <summary>One sample's ∂L/∂x (gxₙ zeroed by the caller): gcol = W_gᵀ·gyₙ,g, then col2im.</summary>
    internal static void BackwardInputSample<T>(ReadOnlySpan<T> gyn, ReadOnlySpan<T> w, in Conv2dGeometry g, Span<T> gxn, Span<T> col)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.FilterLength, p = g.OutPlane, co = g.GroupOut, hw = g.Height * g.Width;
        for (int grp = 0; grp < g.Groups; grp++)
        {
            var c = g.IsPointwise ? gxn.Slice(grp * g.GroupIn * hw, k * p) : col;   // [K, P]
            Gemm.Run(true, false, k, p, co, T.One, w.Slice(grp * co * k, co * k), k, gyn.Slice(grp * co * p, co * p), p, T.Zero, c, p, default, GemmActivation.None);
            if (!g.IsPointwise) Im2Col.ScatterAdd<T>(col, grp * g.GroupIn, g, gxn);
        }
    }

    /// <summary>∂L/∂W of samples [n0, n1) into acc [Cout, K]: acc = Σₙ gyₙ,g·colₙ,gᵀ, in sample order.</summary>
    internal static void BackwardWeightChunk<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> x, in Conv2dGeometry g, int n0, int n1, Span<T> acc, Span<T> col)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.FilterLength, p = g.OutPlane, co = g.GroupOut, hw = g.Height * g.Width, xLen = g.InChannels * hw, yLen = g.OutChannels * p;
        for (int n = n0; n < n1; n++)
        {
            var xn = x.Slice(n * xLen, xLen);
            for (int grp = 0; grp < g.Groups; grp++)
            {
                ReadOnlySpan<T> b;                                               // [K, P]
                if (g.IsPointwise) b = xn.Slice(grp * g.GroupIn * hw, k * p);
                else { Im2Col.Gather(xn, grp * g.GroupIn, g, col); b = col; }
                Gemm.Run(false, true, co, k, p, T.One, gy.Slice(n * yLen + grp * co * p, co * p), p, b, p, n == n0 ? T.Zero : T.One,
                    acc.Slice(grp * co * k, co * k), k, default, GemmActivation.None);
            }
        }
    }
}
