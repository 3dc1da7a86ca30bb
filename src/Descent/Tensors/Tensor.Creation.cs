namespace Descent;

public sealed partial class Tensor
{
    /// <summary>A new tensor of zeros (float32).</summary>
    public static Tensor Zeros(params int[] shape) => Zeros(DType.Float32, shape);

    /// <summary>A new tensor of zeros of the given dtype.</summary>
    public static Tensor Zeros(DType dtype, params int[] shape)
    {
        var s = (int[])shape.Clone();
        int n = Descent.Shape.Numel(s);
        var t = dtype == DType.Float32 ? new Tensor(s, new float[n]) : new Tensor(s, new double[n]);
        if (Tape.Tracking) Tape.Allocated(t);   // a recording tape may plan it
        return t;
    }

    /// <summary>A new tensor of ones (float32).</summary>
    public static Tensor Ones(params int[] shape) => Full(1.0, DType.Float32, shape);

    /// <summary>A new tensor of ones of the given dtype.</summary>
    public static Tensor Ones(DType dtype, params int[] shape) => Full(1.0, dtype, shape);

    /// <summary>A new tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(double value, DType dtype, params int[] shape)
    {
        var t = Zeros(dtype, shape);
        t.Fill(value);
        return t;
    }

    /// <summary>A scalar tensor (shape []).</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full(value, dtype);

    /// <summary>A float32 tensor <b>copied</b> from <paramref name="data"/>, of the given shape (default: 1-D), as <c>torch.tensor</c>;
    /// <see cref="Wrap(float[], int[])"/> shares the array instead.</summary>
    public static Tensor From(float[] data, params int[] shape) => From((ReadOnlySpan<float>)data, shape);

    /// <summary>A float64 tensor <b>copied</b> from <paramref name="data"/>, of the given shape (default: 1-D).</summary>
    public static Tensor From(double[] data, params int[] shape) => From((ReadOnlySpan<double>)data, shape);

    /// <summary>A float32 tensor copied from <paramref name="data"/>, of the given shape (default: 1-D).</summary>
    public static Tensor From(ReadOnlySpan<float> data, params int[] shape) => Wrap(data.ToArray(), shape);

    /// <summary>A float64 tensor copied from <paramref name="data"/>, of the given shape (default: 1-D).</summary>
    public static Tensor From(ReadOnlySpan<double> data, params int[] shape) => Wrap(data.ToArray(), shape);

    /// <summary>A float32 tensor [rows, columns] copied from a rectangular array.</summary>
    public static Tensor From(float[,] data)
    {
        var t = Zeros(DType.Float32, data.GetLength(0), data.GetLength(1));
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref System.Runtime.CompilerServices.Unsafe.As<byte, float>(
            ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(data)), data.Length).CopyTo(t.Floats);
        return t;
    }

    /// <summary>A float64 tensor [rows, columns] copied from a rectangular array (the dtype follows the element type;
    /// <c>.To(DType.Float32)</c> converts).</summary>
    public static Tensor From(double[,] data)
    {
        var t = Zeros(DType.Float64, data.GetLength(0), data.GetLength(1));
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref System.Runtime.CompilerServices.Unsafe.As<byte, double>(
            ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(data)), data.Length).CopyTo(t.Doubles);
        return t;
    }

    /// <summary>A 2-D tensor of <paramref name="dtype"/> copied from a rectangular array of doubles.</summary>
    public static Tensor From(double[,] data, DType dtype) => From(data).To(dtype);

    /// <summary>A float32 tensor [rows, columns] copied from rows of equal length (a jagged array).</summary>
    public static Tensor From(float[][] rows) => Jagged<float>(rows, DType.Float32);

    /// <summary>A float64 tensor [rows, columns] copied from rows of equal length (a jagged array).</summary>
    public static Tensor From(double[][] rows) => Jagged<double>(rows, DType.Float64);

    private static Tensor Jagged<T>(T[][] rows, DType dtype) where T : unmanaged
    {
        int r = rows.Length, c = r == 0 ? 0 : rows[0].Length;
        var t = Zeros(dtype, r, c);
        var dst = t.Span<T>();
        for (int i = 0; i < r; i++)
        {
            if (rows[i].Length != c) throw new ShapeException($"From: row {i} has {rows[i].Length} values, row 0 has {c}; a tensor needs rows of equal length.");
            rows[i].AsSpan().CopyTo(dst.Slice(i * c, c));
        }
        return t;
    }

    /// <summary>A float32 tensor that <b>shares</b> <paramref name="data"/> (no copy: writes to either are seen by both), of the
    /// given shape (default: 1-D) — as <c>torch.from_numpy</c>.</summary>
    public static Tensor Wrap(float[] data, params int[] shape) => new(CheckShape(data.Length, shape), data);

    /// <summary>A float64 tensor that <b>shares</b> <paramref name="data"/> (no copy), of the given shape (default: 1-D).</summary>
    public static Tensor Wrap(double[] data, params int[] shape) => new(CheckShape(data.Length, shape), data);

    private static int[] CheckShape(int length, int[] shape)
    {
        var s = shape.Length == 0 ? [length] : (int[])shape.Clone();
        if (Descent.Shape.Numel(s) != length)
            throw new ShapeException($"From: {length} values do not fill shape {Descent.Shape.Format(s)} ({Descent.Shape.Numel(s)} elements).");
        return s;
    }

    /// <summary>A 2-D tensor copied from rows of equal length (e.g. parsed JSON).</summary>
    public static Tensor FromRows(IReadOnlyList<IReadOnlyList<double>> rows, DType dtype = DType.Float32)
    {
        int r = rows.Count, c = r == 0 ? 0 : rows[0].Count;
        var t = Zeros(dtype, r, c);
        for (int i = 0; i < r; i++)
        {
            if (rows[i].Count != c) throw new ShapeException($"FromRows: row {i} has {rows[i].Count} values, row 0 has {c}.");
            for (int j = 0; j < c; j++) t[i * c + j] = rows[i][j];
        }
        return t;
    }

    /// <summary>start, start + step, … below <paramref name="end"/> (1-D).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0 || double.IsNaN(step)) throw new ArgumentException($"Arange: step must be non-zero, got {step}.");
        int n = Math.Max(0, (int)Math.Ceiling((end - start) / step));
        var t = Zeros(dtype, n);
        for (int i = 0; i < n; i++) t[i] = start + i * step;
        return t;
    }

    /// <summary><paramref name="count"/> evenly spaced values from start to end inclusive (1-D).</summary>
    public static Tensor Linspace(double start, double end, int count, DType dtype = DType.Float32)
    {
        if (count < 0) throw new ArgumentException($"Linspace: count must be ≥ 0, got {count}.");
        var t = Zeros(dtype, count);
        double step = count > 1 ? (end - start) / (count - 1) : 0;
        for (int i = 0; i < count; i++) t[i] = i == count - 1 && count > 1 ? end : start + i * step;
        return t;
    }

    /// <summary>U[low, high) draws from <paramref name="rng"/>.</summary>
    public static Tensor Uniform(Rng rng, double low, double high, DType dtype, params int[] shape)
    {
        var t = Zeros(dtype, shape);
        if (dtype == DType.Float32) rng.FillUniform(t.Floats, low, high); else rng.FillUniform(t.Doubles, low, high);
        return t;
    }

    /// <summary>N(mean, std²) draws from <paramref name="rng"/>.</summary>
    public static Tensor Normal(Rng rng, double mean, double std, DType dtype, params int[] shape)
    {
        var t = Zeros(dtype, shape);
        if (dtype == DType.Float32) rng.FillNormal(t.Floats, mean, std); else rng.FillNormal(t.Doubles, mean, std);
        return t;
    }

    /// <summary>A float32 N(0, 1) tensor.</summary>
    public static Tensor Randn(Rng rng, params int[] shape) => Normal(rng, 0, 1, DType.Float32, shape);

    /// <summary>A float32 N(0, 1) tensor drawn from the process-wide source (<see cref="Rng.FromGlobal"/>, seeded by
    /// <see cref="Rng.ManualSeed"/>), as <c>torch.randn(*shape)</c>.</summary>
    public static Tensor Randn(params int[] shape) => Randn(Rng.FromGlobal(), shape);

    /// <summary>A float32 U[0, 1) tensor drawn from the process-wide source, as <c>torch.rand(*shape)</c>.</summary>
    public static Tensor Rand(params int[] shape) => Uniform(Rng.FromGlobal(), 0, 1, DType.Float32, shape);

    /// <summary>A new zero tensor with this tensor's shape and dtype.</summary>
    public Tensor ZerosLike() => Zeros(DType, _shape);

    /// <summary>Sets every element to <paramref name="value"/> (in place, not recorded).</summary>
    public Tensor Fill(double value)
    {
        if (DType == DType.Float32) Floats.Fill((float)value); else Doubles.Fill(value);
        return this;
    }

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor (same element count; dtype converted).</summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Length != Length)
            throw new ShapeException($"CopyFrom: source shape {Descent.Shape.Format(source.Shape)} does not match {Descent.Shape.Format(_shape)}.");
        if (DType == source.DType)
        {
            if (DType == DType.Float32) source.Floats.CopyTo(Floats); else source.Doubles.CopyTo(Doubles);
        }
        else if (DType == DType.Float32)
        {
            var s = source.Doubles; var d = Floats;
            for (int i = 0; i < d.Length; i++) d[i] = (float)s[i];
        }
        else
        {
            var s = source.Floats; var d = Doubles;
            for (int i = 0; i < d.Length; i++) d[i] = s[i];
        }
    }

    /// <summary>A copy with its own storage, outside the graph.</summary>
    public Tensor Clone()
    {
        var t = Zeros(DType, _shape);
        t.CopyFrom(this);
        t.Name = Name;
        return t;
    }

    /// <summary>A copy converted to <paramref name="dtype"/> (this tensor itself if it already has it), outside the graph.</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var t = Zeros(dtype, _shape);
        t.CopyFrom(this);
        t.Name = Name;
        return t;
    }

    /// <summary>The same storage, cut from the graph (no gradient flows through it).</summary>
    public Tensor Detach() => Track(_f is not null ? new Tensor(_shape, _f, _offset) : new Tensor(_shape, _d!, _offset));

    /// <summary>A view of the same storage with another shape (same element count), outside the graph.</summary>
    internal Tensor ViewAs(int[] shape) => Track(_f is not null ? new Tensor(shape, _f, _offset) : new Tensor(shape, _d!, _offset));

    /// <summary>A view of Π <paramref name="shape"/> consecutive elements from <paramref name="start"/>, shaped <paramref name="shape"/>.</summary>
    internal Tensor ViewRange(int start, int[] shape) =>
        Track(_f is not null ? new Tensor(shape, _f, _offset + start) : new Tensor(shape, _d!, _offset + start));

    /// <summary>True when both tensors have the same shape and dtype and every element is bitwise equal.</summary>
    public bool BitwiseEquals(Tensor other)
    {
        if (other.DType != DType || !Descent.Shape.Equal(other.Shape, Shape)) return false;
        return DType == DType.Float32
            ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(Floats).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(other.Floats))
            : System.Runtime.InteropServices.MemoryMarshal.AsBytes(Doubles).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(other.Doubles));
    }
}
