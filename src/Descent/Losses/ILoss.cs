namespace Descent.Losses;

/// <summary>
/// A loss the training loop can take (<c>descent train --loss</c>): the loss of a model's output [batch, outputs]
/// against the batch's targets, as a scalar tensor on the autograd graph.
/// </summary>
/// <remarks>
/// Classification losses (<see cref="CrossEntropyLoss"/>) read the class indices; the others (<see cref="MseLoss"/>,
/// <see cref="HalfSumSquaredError"/>, <see cref="BceWithLogitsLoss"/>) read values of the output's shape — regression
/// targets, or the one-hot labels of a classification set.
/// </remarks>
public interface ILoss
{
    /// <summary>True when the loss reads class indices (<see cref="LossTargets.Labels"/>), false when it reads values.</summary>
    bool IsClassification { get; }

    /// <summary>Mean (the loss of a batch is an average) or Sum (a total, e.g. the notes' ½‖y − ŷ‖²).</summary>
    Reduction Reduction { get; }

    /// <summary>The loss of <paramref name="output"/> [batch, outputs] against <paramref name="targets"/>.</summary>
    Tensor Of(Tensor output, LossTargets targets);
}

/// <summary>The targets of a batch: class indices [batch], values [batch, outputs], or both.</summary>
/// <param name="Labels">Class indices, or null.</param>
/// <param name="Values">Target values (regression targets or one-hot labels), or null.</param>
public readonly record struct LossTargets(int[]? Labels, Tensor? Values)
{
    /// <summary>The class indices; an error naming <paramref name="loss"/> when there are none.</summary>
    public int[] RequireLabels(string loss) => Labels
        ?? throw new ArgumentException($"{loss} needs class labels, but the data has regression targets; use a regression loss (mse, half-sse).");

    /// <summary>The target values; an error naming <paramref name="loss"/> when there are none.</summary>
    public Tensor RequireValues(string loss) => Values
        ?? throw new ArgumentException($"{loss} needs target values of the output's shape (regression targets or one-hot labels), and the batch has none.");

    /// <summary>One-hot rows [n, classes] of <paramref name="labels"/>.</summary>
    public static Tensor OneHot(ReadOnlySpan<int> labels, int classes, DType dtype = DType.Float32)
    {
        var t = Tensor.Zeros(dtype, labels.Length, classes);
        for (int i = 0; i < labels.Length; i++) t[i * classes + labels[i]] = 1;
        return t;
    }
}
