namespace Descent.Nn;

/// <summary>
/// A model's layer table, as data (the CLI renders it) that also prints as a plain-text table: one row per leaf layer in execution order, like
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

    /// <summary>
    /// The table as plain text, one line per layer and a total, columns aligned:
    /// <code>
    /// layer  type    output shape  parameters
    /// 0      Linear  [1, 16]               80
    /// …
    /// total                               131
    /// </code>
    /// </summary>
    public override string ToString()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var lines = new List<string[]> { new[] { "layer", "type", "output shape", "parameters" } };
        foreach (var r in Rows) lines.Add([r.Name, r.Type, Shape.Format(r.OutputShape), r.Parameters.ToString("N0", inv)]);
        lines.Add(["total", "", "", TotalParameters.ToString("N0", inv)]);
        var widths = Enumerable.Range(0, 4).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var sb = new System.Text.StringBuilder();
        foreach (var l in lines)
            sb.Append(l[0].PadRight(widths[0])).Append("  ").Append(l[1].PadRight(widths[1])).Append("  ")
              .Append(l[2].PadRight(widths[2])).Append("  ").Append(l[3].PadLeft(widths[3])).Append('\n');
        if (BufferElements > 0) sb.Append("buffers (not trained): ").Append(BufferElements.ToString("N0", inv)).Append('\n');
        return sb.ToString();
    }
}
