using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Descent;

/// <summary>
/// An n-dimensional array of float32 or float64 in row-major order, with an optional place in the
/// autograd graph. Storage is a managed array (visible to the GC, no native memory) plus an offset,
/// so reshapes and row slices are views that share it; every tensor is contiguous.
/// </summary>
/// <remarks>
/// Autograd (define-by-run, like PyTorch): an op on tensors of which one <see cref="RequiresGrad"/>
/// records a <see cref="Node"/> in <see cref="GradFn"/>; <see cref="Backward(Tensor?, bool)"/> walks the graph
/// back and accumulates (<c>+=</c>) gradients into the <see cref="Grad"/> of leaf tensors.
/// </remarks>
public sealed partial class Tensor
{
    private readonly int[] _shape;
    private float[]? _f;    // storage when DType is Float32
    private double[]? _d;   // storage when DType is Float64
    private int _offset;    // storage, offset and placement change only when a captured step rebinds its input (Tensor.Placeholder.cs)
    private bool _requiresGrad;

    internal Tensor(int[] shape, float[] storage, int offset = 0)
    {
        _shape = shape;
        _f = storage;
        _offset = offset;
        Length = Descent.Shape.Numel(shape);
        DType = DType.Float32;
        if (offset + Length > storage.Length)
            throw new ArgumentException($"Storage of {storage.Length} elements is too small for shape {Descent.Shape.Format(shape)} at offset {offset}.");
    }

    internal Tensor(int[] shape, double[] storage, int offset = 0)
    {
        _shape = shape;
        _d = storage;
        _offset = offset;
        Length = Descent.Shape.Numel(shape);
        DType = DType.Float64;
        if (offset + Length > storage.Length)
            throw new ArgumentException($"Storage of {storage.Length} elements is too small for shape {Descent.Shape.Format(shape)} at offset {offset}.");
    }

    /// <summary>float32 or float64.</summary>
    public DType DType { get; private set; }

    /// <summary>
    /// Converts this tensor's elements to <paramref name="dtype"/> in place — same object, new storage — and drops its
    /// gradient: how <see cref="Nn.Module.To"/> converts parameters so that an optimizer holding them keeps working.
    /// Views made of the tensor before keep the old storage.
    /// </summary>
    internal void ConvertInPlace(DType dtype)
    {
        if (dtype == DType) return;
        if (GradFn is not null) throw new InvalidOperationException("ConvertInPlace: only a leaf tensor can change its dtype in place.");
        var converted = To(dtype);
        (_f, _d, _offset, DType) = (converted._f, converted._d, 0, dtype);
        Grad = null;
        StorageVersion++;
    }

    /// <summary>Counts <see cref="ConvertInPlace"/> calls: a step recorded with this tensor's old storage must be recorded again.</summary>
    internal int StorageVersion { get; private set; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>The dimensions, outermost first; prints as <c>[2, 3]</c>.</summary>
    public TensorShape Shape => new(_shape);

    /// <summary>A copy of the dimensions.</summary>
    public int[] ShapeArray => (int[])_shape.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Size(int axis) => _shape[Descent.Shape.Axis(axis, _shape.Length, "Size")];

    /// <summary>An optional name (parameters carry theirs, for messages and gradient-check tables).</summary>
    public string? Name { get; set; }

    /// <summary>Whether gradients flow to this tensor. Settable on leaves only (like PyTorch).</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null && !value)
                throw new InvalidOperationException("RequiresGrad can only be cleared on a leaf tensor; use Detach() for a non-leaf.");
            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient ∂L/∂this (leaves only, unless <see cref="RetainGrad"/> is set).</summary>
    public Tensor? Grad
    {
        get => _grad;
        set
        {
            if (value is not null && Tape.Tracking) Tape.Escaped(value, TapeBuffers.Keeping.Gradient);   // read after the step
            _grad = value;
        }
    }

    private Tensor? _grad;

    /// <summary>When set on a non-leaf, <see cref="Backward(Tensor?, bool)"/> also stores its gradient in <see cref="Grad"/>.</summary>
    public bool RetainGrad { get; set; }

    /// <summary>The op that made this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; internal set; }

    /// <summary>True for tensors not made by a recorded op (inputs and parameters).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Gradient waiting to be passed back during a backward pass (engine use only).</summary>
    internal Tensor? PendingGrad;

    /// <summary>True when <see cref="PendingGrad"/> was made for this tensor alone (its node may overwrite it).</summary>
    internal bool PendingGradOwned;

    internal int Offset => _offset;

    internal float[]? FloatStorage
    {
        get
        {
            if (Tape.Tracking) Tape.Touched(StorageArray!);
            return _f;
        }
    }

    internal double[]? DoubleStorage
    {
        get
        {
            if (Tape.Tracking) Tape.Touched(StorageArray!);
            return _d;
        }
    }

    /// <summary>The storage array (float[] or double[]), for identity only: reading it is not an access of the elements.</summary>
    internal object? StorageArray => (object?)_f ?? _d;

    /// <summary>Points this tensor at <paramref name="storage"/> from <paramref name="offset"/> (a tape's planned buffer moving to its arena).</summary>
    internal void MoveStorage(float[] storage, int offset) => (_f, _offset) = (storage, offset);

    /// <inheritdoc cref="MoveStorage(float[], int)"/>
    internal void MoveStorage(double[] storage, int offset) => (_d, _offset) = (storage, offset);

    /// <summary>The elements as a span of <typeparamref name="T"/> (float for Float32, double for Float64).</summary>
    public Span<T> Span<T>() where T : unmanaged
    {
        if (Tape.Tracking) Tape.Touched(StorageArray!);
        if (typeof(T) == typeof(float))
        {
            if (_f is null) throw new InvalidOperationException($"Tensor is {DType.Name()}; asked for float32 elements.");
            return MemoryMarshal.Cast<float, T>(new Span<float>(_f, _offset, Length));
        }
        if (typeof(T) == typeof(double))
        {
            if (_d is null) throw new InvalidOperationException($"Tensor is {DType.Name()}; asked for float64 elements.");
            return MemoryMarshal.Cast<double, T>(new Span<double>(_d, _offset, Length));
        }
        throw new NotSupportedException($"Element type {typeof(T).Name} is not supported; use float or double.");
    }

    /// <summary>The float32 elements (throws on a float64 tensor).</summary>
    public Span<float> Floats => Span<float>();

    /// <summary>The float64 elements (throws on a float32 tensor).</summary>
    public Span<double> Doubles => Span<double>();

    /// <summary>Element <paramref name="i"/> of the flat row-major order, as a double.</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public double this[int i]
    {
        get => _f is not null ? Floats[i] : Doubles[i];
        set { if (_f is not null) Floats[i] = (float)value; else Doubles[i] = value; }
    }

    /// <summary>Element [i, j] of a 2-D tensor, as a double.</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public double this[int i, int j]
    {
        get => this[FlatIndex([i, j])];
        set => this[FlatIndex([i, j])] = value;
    }

    /// <summary>The element at an n-dimensional index (one index per dimension), as a double: <c>t[0, 1, 2]</c>.
    /// A single index is the flat row-major position (see <see cref="this[int]"/>).</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public double this[params int[] index]
    {
        get => this[FlatIndex(index)];
        set => this[FlatIndex(index)] = value;
    }

    private int FlatIndex(ReadOnlySpan<int> index)
    {
        if (index.Length != Rank)
            throw new ShapeException($"Indexer: {index.Length} indices for a tensor of shape {Descent.Shape.Format(_shape)}; expected {Rank}.");
        int flat = 0;
        for (int a = 0; a < index.Length; a++)
        {
            if ((uint)index[a] >= (uint)_shape[a])
                throw new IndexOutOfRangeException($"Index [{string.Join(", ", index.ToArray())}] is outside shape {Descent.Shape.Format(_shape)} (dimension {a}).");
            flat = flat * _shape[a] + index[a];
        }
        return flat;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Length != 1) throw new ShapeException($"Item() needs a one-element tensor, got shape {Descent.Shape.Format(_shape)}.");
        return this[0];
    }

    /// <summary>A copy of the elements as doubles.</summary>
    public double[] ToArray()
    {
        var r = new double[Length];
        if (_d is not null) Doubles.CopyTo(r);
        else { var s = Floats; for (int i = 0; i < r.Length; i++) r[i] = s[i]; }
        return r;
    }

    /// <summary>A copy of the elements, flat in row-major order, as <typeparamref name="T"/> (float or double; converted if the
    /// tensor holds the other).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return (T[])(object)ToFloatArray();
        if (typeof(T) == typeof(double)) return (T[])(object)ToArray();
        throw new NotSupportedException($"ToArray<{typeof(T).Name}>: element type must be float or double.");
    }

    /// <summary>A copy of a 2-D tensor as a rectangular array of <typeparamref name="T"/> (float or double).</summary>
    public T[,] ToArray2D<T>() where T : unmanaged
    {
        if (Rank != 2) throw new ShapeException($"ToArray2D: needs a 2-D tensor, got shape {Descent.Shape.Format(_shape)}.");
        var r = new T[_shape[0], _shape[1]];
        ToArray<T>().AsSpan().CopyTo(MemoryMarshal.CreateSpan(ref System.Runtime.CompilerServices.Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(r)), r.Length));
        return r;
    }

    /// <summary>A copy of the elements as floats.</summary>
    public float[] ToFloatArray()
    {
        var r = new float[Length];
        if (_f is not null) Floats.CopyTo(r);
        else { var s = Doubles; for (int i = 0; i < r.Length; i++) r[i] = (float)s[i]; }
        return r;
    }

    /// <summary>"tensor([[1, 2], [3, 4]], float32)" with at most a few elements per dimension.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("tensor(");
        Write(sb, 0, 0);
        sb.Append(", ").Append(DType.Name());
        if (GradFn is not null) sb.Append(", grad_fn=").Append(GradFn.Name);
        else if (RequiresGrad) sb.Append(", requires_grad");
        return sb.Append(')').ToString();
    }

    private void Write(StringBuilder sb, int dim, int start)
    {
        if (Rank == 0) { sb.Append(this[0].ToString("G6", CultureInfo.InvariantCulture)); return; }
        int n = _shape[dim];
        int stride = 1;
        for (int i = dim + 1; i < Rank; i++) stride *= _shape[i];
        sb.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (n > 8 && i == 3) { sb.Append("..., "); i = n - 3; }
            if (dim == Rank - 1) sb.Append(this[start + i].ToString("G6", CultureInfo.InvariantCulture));
            else Write(sb, dim + 1, start + i * stride);
            if (i < n - 1) sb.Append(", ");
        }
        sb.Append(']');
    }
}
