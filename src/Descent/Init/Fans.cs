namespace Descent.Init;

/// <summary>
/// Fan-in and fan-out of a weight tensor, computed as <c>torch.nn.init._calculate_fan_in_and_fan_out</c>:
/// for a weight [out, in, k₁, k₂, …] the receptive field is r = k₁·k₂·…, fan_in = in·r and fan_out = out·r.
/// Linear [out, in] gives fan_in = in, fan_out = out; Conv2d [out, in, kh, kw] gives in·kh·kw and out·kh·kw.
/// </summary>
public static class Fans
{
    /// <summary>(fan_in, fan_out) of a weight of <paramref name="shape"/>; fewer than 2 dimensions is an error, as in PyTorch.</summary>
    public static (int FanIn, int FanOut) Of(ReadOnlySpan<int> shape)
    {
        if (shape.Length < 2)
            throw new ArgumentException($"Fans: fan in and fan out need a tensor with at least 2 dimensions, got shape {Shape.Format(shape)} (pass the weight's fans for a bias).");
        int receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }
}
