namespace Descent.Optim;

/// <summary>
/// A set of parameters that share hyperparameters (PyTorch's <c>param_groups</c> entry). A group may
/// carry its own learning rate and weight decay; unset values fall back to the optimizer's.
/// </summary>
/// <remarks>
/// A group's own learning rate follows the schedule like PyTorch's schedulers do (each group's
/// <c>initial_lr</c> times the same factor): its rate at a step is
/// <c>group.LearningRate · (optimizer.LearningRate / optimizer.InitialLearningRate)</c>.
/// </remarks>
public sealed class ParamGroup
{
    /// <summary>A group of <paramref name="parameters"/> with optional own learning rate and weight decay.</summary>
    public ParamGroup(IEnumerable<Tensor> parameters, double? learningRate = null, double? weightDecay = null)
    {
        Parameters = parameters.ToArray();
        if (learningRate is { } lr && !(lr >= 0)) throw new ArgumentException($"Invalid group learning rate: {lr} (expected ≥ 0).");
        if (weightDecay is { } wd && !(wd >= 0)) throw new ArgumentException($"Invalid group weight decay: {wd} (expected ≥ 0).");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The group's parameters (leaf tensors with RequiresGrad).</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The group's own base learning rate, or null for the optimizer's.</summary>
    public double? LearningRate { get; set; }

    /// <summary>The group's own weight decay, or null for the optimizer's.</summary>
    public double? WeightDecay { get; set; }
}
