namespace Descent.Data;

public sealed partial class Dataset
{
    /// <summary>
    /// A regression set over tensors, as PyTorch's <c>TensorDataset(x, y)</c>: row i is (x[i], y[i]). x [n, …] gives the
    /// feature shape, y [n, …] float targets of any shape (a 1-D y [n] is one target per row, [n, 1], to match a model with
    /// one output). Both are copied (float32), so changing the tensors later does not change the set.
    /// </summary>
    public static Dataset FromTensors(Tensor x, Tensor y, string name = "tensors")
    {
        int n = Rows(x, name);
        if (y.Rank == 0 || y.Shape[0] != n)
            throw new ShapeException($"Dataset '{name}': x has {n} rows ({x.Shape}), y must have as many along its first axis, got {y.Shape}.");
        int[] targetShape = y.Rank == 1 ? [1] : y.Shape[1..].ToArray();
        int k = Descent.Shape.Numel(targetShape);
        var names = k == 1 ? ["y"] : Enumerable.Range(0, k).Select(i => $"y{i}").ToArray();
        return new Dataset(name, x.ToArray<float>(), y.ToArray<float>(), x.Shape[1..].ToArray(), names) { TargetShape = targetShape };
    }

    /// <summary>
    /// A classification set over a tensor of features x [n, …] and one class index per row (copied). The classes are
    /// 0..<paramref name="classes"/>−1, named "0", "1", … (<paramref name="classes"/> 0: one more than the largest label).
    /// </summary>
    public static Dataset FromTensors(Tensor x, int[] labels, int classes = 0, string name = "tensors")
    {
        int n = Rows(x, name);
        if (labels.Length != n) throw new ShapeException($"Dataset '{name}': x has {n} rows ({x.Shape}), got {labels.Length} labels.");
        if (labels.Any(l => l < 0)) throw new ArgumentException($"Dataset '{name}': label {labels.First(l => l < 0)} is negative; class indices start at 0.");
        int c = classes > 0 ? classes : labels.Length == 0 ? 0 : labels.Max() + 1;
        var names = Enumerable.Range(0, c).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new Dataset(name, x.ToArray<float>(), (int[])labels.Clone(), x.Shape[1..].ToArray(), names);
    }

    /// <summary>A classification set from rows of features <paramref name="x"/> [n, d] and class indices (copied); see
    /// <see cref="FromTensors(Tensor, int[], int, string)"/>.</summary>
    public static Dataset FromArrays(float[,] x, int[] labels, int classes = 0, string name = "arrays") =>
        FromTensors(Tensor.From(x), labels, classes, name);

    /// <summary>A regression set from rows of features <paramref name="x"/> [n, d] and one float target per row [n] (copied).</summary>
    public static Dataset FromArrays(float[,] x, float[] y, string name = "arrays") =>
        FromTensors(Tensor.From(x), Tensor.From(y), name);

    /// <summary>A regression set from rows of features <paramref name="x"/> [n, d] and rows of targets <paramref name="y"/> [n, k] (copied).</summary>
    public static Dataset FromArrays(float[,] x, float[,] y, string name = "arrays") =>
        FromTensors(Tensor.From(x), Tensor.From(y), name);

    private static int Rows(Tensor x, string name)
    {
        if (x.Rank < 2) throw new ShapeException($"Dataset '{name}': x must be [rows, features…], got {x.Shape}.");
        return x.Shape[0];
    }
}
