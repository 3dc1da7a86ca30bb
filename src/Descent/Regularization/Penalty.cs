namespace Descent.Regularization;

/// <summary>
/// Weight penalties added to a loss, on chosen parameters (by default every parameter whose name ends in <c>weight</c>,
/// excluding biases and batch norm's γ — see <see cref="WeightsOnly"/>):
/// L1: λ·Σ|θ| (gradient λ·sign θ, drives weights to exactly 0);
/// L2: ½λ·Σθ² (gradient λθ — the same step as PyTorch's SGD <c>weight_decay=λ</c>; Keras' <c>l2(λ)</c> is λ·Σθ², twice this).
/// The notes' L2 term λ/(2m)·‖W‖² is <c>L2(λ/m)</c> for a batch of m.
/// </summary>
public sealed class Penalty
{
    /// <summary>L1 or L2.</summary>
    public enum Kind
    {
        /// <summary>λ·Σ|θ|.</summary>
        L1,
        /// <summary>½λ·Σθ².</summary>
        L2,
    }

    /// <summary>Which norm.</summary>
    public Kind Norm { get; }

    /// <summary>The strength λ ≥ 0.</summary>
    public double Lambda { get; }

    private Penalty(Kind norm, double lambda)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda)) throw new ArgumentException($"{norm} penalty: λ must be a finite number ≥ 0, got {lambda}.");
        (Norm, Lambda) = (norm, lambda);
    }

    /// <summary>λ·Σ|θ|.</summary>
    public static Penalty L1(double lambda) => new(Kind.L1, lambda);

    /// <summary>½λ·Σθ².</summary>
    public static Penalty L2(double lambda) => new(Kind.L2, lambda);

    /// <summary>The default selection: parameters named <c>…weight</c> of a module that is not a batch norm.</summary>
    public static IEnumerable<Tensor> WeightsOnly(Nn.Module model) =>
        model.NamedModules()
            .Where(m => m.Module is not Nn.BatchNorm)
            .SelectMany(m => m.Module.NamedParameters().Where(p => !p.Name.Contains('.') && p.Name == "weight").Select(p => p.Tensor));

    /// <summary>The penalty term over <paramref name="parameters"/> (a one-element tensor in the graph).</summary>
    public Tensor Of(IEnumerable<Tensor> parameters)
    {
        Tensor? total = null;
        foreach (var p in parameters)
        {
            var term = Norm == Kind.L1 ? p.Abs().Sum() : p.Square().Sum();
            total = total is null ? term : total.Add(term);
        }
        if (total is null) return Tensor.Scalar(0);
        return total.Mul(Norm == Kind.L1 ? Lambda : 0.5 * Lambda);
    }

    /// <summary>loss + penalty over <paramref name="parameters"/>.</summary>
    public Tensor AddTo(Tensor loss, IEnumerable<Tensor> parameters)
    {
        var list = parameters.ToList();
        return list.Count == 0 ? loss : loss.Add(Of(list));
    }

    /// <summary>loss + penalty over the model's weights (<see cref="WeightsOnly"/>).</summary>
    public Tensor AddTo(Tensor loss, Nn.Module model) => AddTo(loss, WeightsOnly(model));
}
