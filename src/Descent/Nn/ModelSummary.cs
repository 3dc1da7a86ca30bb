namespace Descent.Nn;

/// <summary>
/// A model's layer table, as data (the CLI renders it): one row per leaf layer in execution order, like
/// Keras' <c>model.summary()</c> or torchinfo. Made by <see cref="Module.Summary"/>.
/// </summary>
/// <param name="Rows">The leaf layers in the order they ran.</param>
/// <param name="OutputShape">The model's output shape for the given input shape.</param>
/// <param name="TotalParameters">Every trainable scalar of the model.</param>
/// <param name="BufferElements">Saved untrained scalars (batch norm's running statistics).</param>
public sealed record ModelSummary(IReadOnlyList<ModelSummary.Row> Rows, int[] OutputShape, long TotalParameters, long BufferElements)
{
    /// <summary>One layer: dotted name (<c>0</c>, <c>block.body.1</c>), type (<c>Linear</c>), output shape, parameter count.</summary>
    public sealed record Row(string Name, string Type, int[] OutputShape, long Parameters);
}
