namespace Descent.Init;

/// <summary>w ~ N(mean, std²), independent draws (<c>nn.init.normal_</c>; no truncation).</summary>
public sealed class Normal : Initializer
{
    /// <summary>Mean and standard deviation of the draws.</summary>
    public double Mean { get; }

    /// <inheritdoc cref="Mean"/>
    public double Std { get; }

    /// <summary>N(mean, std²); std must be ≥ 0.</summary>
    public Normal(double mean, double std)
    {
        if (!(std >= 0) || double.IsInfinity(std) || !double.IsFinite(mean))
            throw new ArgumentException($"Normal initializer: std must be a finite number ≥ 0 and mean finite, got mean {mean}, std {std}.");
        (Mean, Std) = (mean, std);
    }

    /// <inheritdoc/>
    public override Tensor Initialize(Tensor tensor, Rng rng, (int FanIn, int FanOut)? fans = null)
    {
        if (tensor.DType == DType.Float32) rng.FillNormal(tensor.Floats, Mean, Std); else rng.FillNormal(tensor.Doubles, Mean, Std);
        return tensor;
    }

    /// <inheritdoc/>
    public override string ToString() => Mean == 0 ? $"normal:{F(Std)}" : $"normal:{F(Mean)},{F(Std)}";
}
