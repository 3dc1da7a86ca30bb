namespace Descent;

/// <summary>
/// The dimensions of a tensor, outermost first, read-only: indexable and sliceable like a span (<c>x.Shape[0]</c>,
/// <c>x.Shape[1..]</c>), enumerable with <c>foreach</c> (no allocation; <see cref="AsSpan"/> for span methods), comparable with <c>==</c>, and printed as PyTorch prints a size, <c>[2, 3]</c>.
/// </summary>
public readonly struct TensorShape : IEquatable<TensorShape>
{
    private readonly int[] _dims;

    internal TensorShape(int[] dims) => _dims = dims;

    /// <summary>Number of dimensions (the tensor's rank).</summary>
    public int Length => _dims?.Length ?? 0;

    /// <summary>Size of dimension <paramref name="index"/>.</summary>
    public int this[int index] => _dims[index];

    /// <summary>Dimensions <paramref name="start"/> … start + length − 1 (what <c>shape[a..b]</c> calls).</summary>
    public ReadOnlySpan<int> Slice(int start, int length) => AsSpan().Slice(start, length);

    /// <summary>The dimensions as a span (no copy).</summary>
    public ReadOnlySpan<int> AsSpan() => _dims ?? [];

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => AsSpan().ToArray();

    /// <summary>The dimensions as a span (no copy).</summary>
    public static implicit operator ReadOnlySpan<int>(TensorShape shape) => shape.AsSpan();

    /// <summary>A span enumerator over the dimensions (no allocation in <c>foreach</c>).</summary>
    public ReadOnlySpan<int>.Enumerator GetEnumerator() => AsSpan().GetEnumerator();

    /// <summary>True when <paramref name="other"/> lists the same dimensions.</summary>
    public bool SequenceEqual(ReadOnlySpan<int> other) => AsSpan().SequenceEqual(other);

    /// <summary>True when both have the same dimensions.</summary>
    public bool Equals(TensorShape other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorShape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in AsSpan()) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>True when both have the same dimensions.</summary>
    public static bool operator ==(TensorShape a, TensorShape b) => a.Equals(b);

    /// <summary>True when the dimensions differ.</summary>
    public static bool operator !=(TensorShape a, TensorShape b) => !a.Equals(b);

    /// <summary>"[2, 3]" ("[]" for a scalar).</summary>
    public override string ToString() => Shape.Format(AsSpan());
}
