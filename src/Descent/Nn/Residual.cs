namespace Descent.Nn;

/// <summary>
/// A residual block (He et al. 2016): H(x) = F(x) + x, or F(x) + P(x) with a projection P (typically a bias-free
/// Linear) when F changes the shape. The body is named <c>body</c> and the projection <c>shortcut</c> in the state dict.
/// </summary>
/// <remarks>Because ∂H/∂x = ∂F/∂x + I, the gradient reaches earlier layers even when F's Jacobian is small.</remarks>
public sealed class Residual : Module
{
    /// <summary>F.</summary>
    public Module Body { get; }

    /// <summary>P, or null for the identity shortcut.</summary>
    public Module? Shortcut { get; }

    /// <summary>H(x) = body(x) + shortcut(x), the shortcut being the identity when null.</summary>
    public Residual(Module body, Module? shortcut = null)
    {
        Body = RegisterModule("body", body ?? throw new ArgumentNullException(nameof(body)));
        if (shortcut is not null) Shortcut = RegisterModule("shortcut", shortcut);
    }

    /// <summary>A residual block whose shortcut is a bias-free Linear(<paramref name="inFeatures"/>, <paramref name="outFeatures"/>) when they differ, else the identity.</summary>
    /// <remarks><paramref name="init"/> initializes the projection's weight (null = PyTorch's Linear default).</remarks>
    public static Residual WithProjection(Module body, int inFeatures, int outFeatures, Rng rng, DType dtype = DType.Float32, Init.Initializer? init = null) =>
        inFeatures == outFeatures ? new Residual(body) : new Residual(body, new Linear(inFeatures, outFeatures, rng, bias: false, weightInit: init, dtype: dtype));

    /// <inheritdoc/>
    public override Tensor Forward(Tensor x)
    {
        var f = Body.Call(x);
        var s = Shortcut is null ? x : Shortcut.Call(x);
        if (!Shape.Equal(f.Shape, s.Shape))
            throw new ShapeException($"Residual: body output {Shape.Format(f.Shape)} and shortcut {Shape.Format(s.Shape)} differ" +
                (Shortcut is null ? " — give the block a projection (Residual.WithProjection)." : "."));
        return f.Add(s);
    }
}
