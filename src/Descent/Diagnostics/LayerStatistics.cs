namespace Descent.Diagnostics;

/// <summary>
/// Statistics of one layer (a probe point: the output of an activation, or of a residual block) over a batch.
/// </summary>
/// <param name="Index">1-based layer number.</param>
/// <param name="Name">Module path in the model (e.g. <c>1</c> for the first activation of an MLP).</param>
/// <param name="Kind">Activation name (tanh, relu, …) or "residual".</param>
/// <param name="Mean">Mean of the layer's outputs.</param>
/// <param name="Std">Standard deviation of the outputs (population, over batch × units).</param>
/// <param name="SaturatedFraction">Share of outputs within 1 % of a bound of tanh (|a| &gt; 0.99) or sigmoid (a &lt; 0.01 or a &gt; 0.99); 0 for others.</param>
/// <param name="DeadFraction">Share of units whose output is ≤ 0 for every sample of the batch (ReLU family; 0 for others). For a
/// feature map [N, C, H, W] the unit is the channel (a filter): dead when ≤ 0 at every position of every sample.</param>
/// <param name="GradientStd">Std of ∂L/∂output on the way back (NaN before a backward pass).</param>
/// <param name="WeightGradientNorm">‖∂L/∂W‖ of the Linear or convolution feeding this layer (NaN if none or no backward yet).</param>
/// <param name="WeightNorm">‖W‖ of that weight.</param>
/// <param name="UpdateRatio">‖ΔW‖/‖W‖ of the last optimizer step (NaN when no step was observed).</param>
public sealed record LayerStatistics(int Index, string Name, string Kind, double Mean, double Std, double SaturatedFraction, double DeadFraction,
    double GradientStd, double WeightGradientNorm, double WeightNorm, double UpdateRatio)
{
    /// <summary>Channels C of a feature-map activation [N, C, H, W]; 0 for [batch, units].</summary>
    public int Channels { get; init; }

    /// <summary>Per-channel mean over N·H·W [C] (empty unless <see cref="Channels"/> &gt; 0).</summary>
    public double[] ChannelMeans { get; init; } = [];

    /// <summary>Per-channel standard deviation (population) over N·H·W [C] (empty unless <see cref="Channels"/> &gt; 0).</summary>
    public double[] ChannelStds { get; init; } = [];

    /// <summary>
    /// Per-channel moments of a feature map v [batch, channels, spatial] (flattened) and the share of dead channels
    /// (≤ 0 at every position of every sample).
    /// </summary>
    public static (double[] Means, double[] Stds, double DeadFraction) ChannelMoments(ReadOnlySpan<double> v, int batch, int channels)
    {
        int spatial = batch * channels == 0 ? 0 : v.Length / (batch * channels), dead = 0;
        double[] means = new double[channels], stds = new double[channels];
        var values = new double[batch * spatial];
        for (int c = 0; c < channels; c++)
        {
            bool alive = false;
            for (int i = 0; i < batch; i++)
            {
                var run = v.Slice((i * channels + c) * spatial, spatial);
                run.CopyTo(values.AsSpan(i * spatial));
                foreach (double a in run) alive |= a > 0;
            }
            (means[c], stds[c]) = Moments(values);
            if (!alive) dead++;
        }
        return (means, stds, channels == 0 ? 0 : dead / (double)channels);
    }

    /// <summary>The outputs (a sample of at most 20 000 values, for histograms).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double[] Sample { get; init; } = [];

    /// <summary>Mean and std of a set of values (population).</summary>
    public static (double Mean, double Std) Moments(ReadOnlySpan<double> v)
    {
        if (v.Length == 0) return (double.NaN, double.NaN);
        double s = 0;
        foreach (double a in v) s += a;
        double mean = s / v.Length, ss = 0;
        foreach (double a in v) ss += (a - mean) * (a - mean);
        return (mean, Math.Sqrt(ss / v.Length));
    }
}
