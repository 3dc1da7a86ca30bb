using System.Numerics.Tensors;
using Descent.Nn;

namespace Descent.Training;

/// <summary>
/// The exponential moving average (EMA) of a model's weights, kept beside the model and updated after every optimizer
/// step (<c>descent train --ema DECAY</c>): Keras's <c>use_ema=True, ema_momentum=d</c>, PyTorch's
/// <c>AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(d), use_buffers=True)</c>, timm's <c>ModelEmaV3</c>.
/// The averaged weights are the model that is evaluated and saved.
/// </summary>
/// <remarks>
/// <para>After optimizer step t (t = 0, 1, … counted over the whole run, so a resumed run goes on with the same t),
/// for every parameter and every buffer w (BatchNorm's running_mean and running_var: timm's and Lightning's default, so
/// the averaged model's normalization matches its averaged weights) with its average ŵ:</para>
/// <code>
///   d_t = min(d, (1 + t) / (10 + t))
///   ŵ  ← d_t·ŵ + (1 − d_t)·w
/// </code>
/// <para>ŵ starts as a copy of the weights the run starts from. d_t is computed in float64, then d_t and 1 − d_t are
/// rounded to the weights' element type; the two products are rounded and added (no fused multiply-add).</para>
/// <para><b>The warm-up</b> <c>(1 + t)/(10 + t)</c> is TensorFlow's <c>ExponentialMovingAverage(num_updates=t)</c> and
/// timm's <c>ModelEmaV3(use_warmup)</c> rule of thumb: 0.1 at the first step, ½ at the ninth, 0.9 at the 81st, 0.99 at
/// the 891st, 0.999 at the 8,991st. Without it (Keras, PyTorch's <c>get_ema_multi_avg_fn</c>) the random initial weights
/// keep a weight of dᵗ in the average: 0.999⁴⁶⁹ ≈ 0.63 after the first Fashion-MNIST epoch at batch 128, so the averaged
/// model evaluated after the early epochs would be mostly the untrained one. With it the average forgets the start at
/// once and spans about the last t/9 steps until it reaches d.</para>
/// <para>Keras's update is the same formula without the warm-up; PyTorch's is <c>lerp(ŵ, w, 1 − d)</c> = ŵ + (1 − d)(w − ŵ),
/// equal in exact arithmetic, not bit for bit.</para>
/// <para>An update is two <see cref="TensorPrimitives"/> passes per tensor on the calling thread: it allocates nothing and
/// its result does not depend on the number of threads.</para>
/// </remarks>
internal sealed class WeightAverage
{
    private readonly string[] _names;     // the model's state-dict names: parameters, then buffers
    private readonly Tensor[] _live;      // the model's own tensors, in that order
    private readonly Tensor[] _average;   // ŵ of each, of the same shape and element type

    /// <summary>Starts the average of <paramref name="model"/>'s parameters and buffers at their current values.</summary>
    /// <param name="model">The model whose weights are averaged.</param>
    /// <param name="decay">The decay d, in (0, 1), e.g. 0.999.</param>
    public WeightAverage(Module model, double decay)
    {
        if (!(decay > 0 && decay < 1)) throw new ArgumentException($"EMA decay must be in (0, 1), e.g. 0.999, got {decay}.", nameof(decay));
        Decay = decay;
        var state = model.StateDict();
        _names = state.Keys.ToArray();
        _live = state.Values.ToArray();
        _average = _live.Select(t => t.Clone()).ToArray();
    }

    /// <summary>The decay d: the weight of the old average at every step, once the warm-up has passed it.</summary>
    public double Decay { get; }

    /// <summary>The decay used after step <paramref name="step"/> (0-based): min(d, (1 + t)/(10 + t)).</summary>
    public static double DecayAt(double decay, long step) => Math.Min(decay, (1.0 + step) / (10.0 + step));

    /// <summary>The averages by state-dict name (the tensors themselves, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> Averages => _names.Zip(_average).ToDictionary(p => p.First, p => p.Second);

    /// <summary>ŵ ← d_t·ŵ + (1 − d_t)·w for every tensor, after optimizer step <paramref name="step"/>. Allocates nothing.</summary>
    public void Update(long step)
    {
        double d = DecayAt(Decay, step);
        for (int i = 0; i < _live.Length; i++)
        {
            var (average, live) = (_average[i], _live[i]);
            if (average.DType == DType.Float32)
            {
                var a = average.Floats;   // [numel]
                TensorPrimitives.Multiply(a, (float)d, a);
                TensorPrimitives.MultiplyAdd(live.Floats, (float)(1 - d), a, a);
            }
            else
            {
                var a = average.Doubles;   // [numel]
                TensorPrimitives.Multiply(a, d, a);
                TensorPrimitives.MultiplyAdd(live.Doubles, 1 - d, a, a);
            }
        }
    }

    /// <summary>
    /// Exchanges the model's values with the averages, in place (so captured steps keep their tensors): call it twice
    /// around an evaluation of the averaged model; the second call puts every bit back.
    /// </summary>
    public void Swap()
    {
        for (int i = 0; i < _live.Length; i++)
        {
            if (_live[i].DType == DType.Float32) SwapValues(_live[i].Floats, _average[i].Floats);
            else SwapValues(_live[i].Doubles, _average[i].Doubles);
        }
    }

    private static void SwapValues<T>(Span<T> a, Span<T> b)
    {
        for (int j = 0; j < a.Length; j++) (a[j], b[j]) = (b[j], a[j]);
    }

    /// <summary>Overwrites the model's weights with the averages (Keras at the end of <c>fit</c>).</summary>
    public void CopyToModel()
    {
        for (int i = 0; i < _live.Length; i++) _live[i].CopyFrom(_average[i]);
    }

    /// <summary>Sets the averages from a saved state dict (a checkpoint's), by name; every name must be there.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> averages)
    {
        for (int i = 0; i < _names.Length; i++)
        {
            if (!averages.TryGetValue(_names[i], out var saved))
                throw new InvalidDataException($"weight average: the checkpoint has no '{_names[i]}'.");
            if (!Shape.Equal(saved.Shape, _average[i].Shape))
                throw new InvalidDataException($"weight average: '{_names[i]}' has shape {Shape.Format(saved.Shape)} in the checkpoint, {Shape.Format(_average[i].Shape)} in the model.");
            _average[i].CopyFrom(saved);
        }
    }
}
