namespace Descent;

public sealed partial class Tensor
{
    /// <summary>a + b, recorded (see <see cref="Ops.Add(Tensor, Tensor)"/>).</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>a − b, recorded.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>a ⊙ b (elementwise), recorded.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>a / b (elementwise), recorded.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>−x, recorded.</summary>
    public static Tensor operator -(Tensor x) => x.Neg();
    /// <summary>x + s.</summary>
    public static Tensor operator +(Tensor x, double s) => x.Add(s);
    /// <summary>s + x.</summary>
    public static Tensor operator +(double s, Tensor x) => x.Add(s);
    /// <summary>x − s.</summary>
    public static Tensor operator -(Tensor x, double s) => x.Sub(s);
    /// <summary>s − x.</summary>
    public static Tensor operator -(double s, Tensor x) => x.Neg().Add(s);
    /// <summary>x · s.</summary>
    public static Tensor operator *(Tensor x, double s) => x.Mul(s);
    /// <summary>s · x.</summary>
    public static Tensor operator *(double s, Tensor x) => x.Mul(s);
    /// <summary>x / s.</summary>
    public static Tensor operator /(Tensor x, double s) => x.Div(s);
    /// <summary>s / x.</summary>
    public static Tensor operator /(double s, Tensor x) => Scalar(s, x.DType).Div(x);
}
