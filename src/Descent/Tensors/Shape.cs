namespace Descent;

/// <summary>Shape arithmetic shared by every op: element counts, axes, broadcasting, formatting.</summary>
public static class Shape
{
    /// <summary>Number of elements of a shape (1 for a scalar, shape []).</summary>
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {Format(shape)} has a negative dimension.");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException($"Shape {Format(shape)} has more than {int.MaxValue} elements.");
        }
        return (int)n;
    }

    /// <summary>"[2, 3]" — the form every error message uses.</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 0) return "[]";
        var sb = new System.Text.StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i]);
        }
        return sb.Append(']').ToString();
    }

    /// <summary>Maps a possibly negative axis (−1 = last) to 0..rank−1, or throws naming the op.</summary>
    public static int Axis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for a tensor of rank {rank}.");
        return a;
    }

    /// <summary>Splits a shape around <paramref name="axis"/> into (outer, n, inner) element counts.</summary>
    public static (int Outer, int N, int Inner) Around(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }

    /// <summary>NumPy broadcasting: shapes are aligned on the right; each pair of dimensions must be equal or one of them 1.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>True when both shapes have the same rank and dimensions.</summary>
    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Row-major strides of a shape, with stride 0 on dimensions that are broadcast (size 1 in <paramref name="shape"/>
    /// but not in <paramref name="target"/>); <paramref name="shape"/> is right-aligned to <paramref name="target"/>.</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        var strides = new int[target.Length];
        BroadcastStrides(shape, target, strides);
        return strides;
    }

    /// <summary>As <see cref="BroadcastStrides(ReadOnlySpan{int}, ReadOnlySpan{int})"/>, into <paramref name="strides"/> [rank of target].</summary>
    public static void BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target, Span<int> strides)
    {
        int stride = 1;
        for (int i = target.Length - 1; i >= 0; i--)
        {
            int j = i - (target.Length - shape.Length);
            int d = j >= 0 ? shape[j] : 1;
            strides[i] = d == 1 && target[i] != 1 ? 0 : stride;
            stride *= d;
        }
    }
}

/// <summary>Thrown when tensor shapes do not fit an op; the message names the op and the shapes.</summary>
public sealed class ShapeException(string message) : ArgumentException(message);
