namespace Descent;

/// <summary>
/// The memory that the planned buffers of one or more tapes live in: one float32 and one float64 array, each as long as the
/// largest plan placed in it. Tapes that never replay at the same time — the tapes of one <see cref="CapturedStep"/> (one per
/// batch shape), or a training step and its evaluation forward pass — share it: a planned buffer holds nothing from one
/// replay to the next (see <see cref="TapeBuffers"/>), so what another tape left there does not matter.
/// </summary>
/// <remarks>Not thread-safe: the tapes sharing an arena must not replay at the same time (neither may one tape).</remarks>
internal sealed class TapeArena
{
    private float[] _floats = [];
    private double[] _doubles = [];
    private readonly List<Placement> _placed = [];

    /// <summary>A tensor of tape <paramref name="Owner"/> placed at element <paramref name="Offset"/> of the arena. A class,
    /// not a tuple: lists of it then run the framework's precompiled shared code instead of being compiled at start-up.</summary>
    internal sealed record Placement(Tape Owner, Tensor Tensor, int Offset);

    /// <summary>Elements of the float32 array.</summary>
    public int FloatLength => _floats.Length;

    /// <summary>Elements of the float64 array.</summary>
    public int DoubleLength => _doubles.Length;

    /// <summary>Bytes of both arrays.</summary>
    public long Bytes => _floats.Length * 4L + _doubles.Length * 8L;

    /// <summary>
    /// Moves each tensor to its offset in the arena (growing the arena, and moving the tensors placed before along, when
    /// <paramref name="floatLength"/> or <paramref name="doubleLength"/> is longer than it).
    /// </summary>
    public void Place(IReadOnlyList<Placement> tensors, int floatLength, int doubleLength)
    {
        bool grow = floatLength > _floats.Length || doubleLength > _doubles.Length;
        if (floatLength > _floats.Length) _floats = new float[floatLength];
        if (doubleLength > _doubles.Length) _doubles = new double[doubleLength];
        if (grow) foreach (var p in _placed) Move(p.Tensor, p.Offset);
        foreach (var p in tensors)
        {
            Move(p.Tensor, p.Offset);
            _placed.Add(p);
        }
    }

    /// <summary>Forgets the tensors of <paramref name="owners"/> (dropped tapes); with none left, lets the arrays go.</summary>
    public void Forget(IReadOnlyCollection<Tape> owners)
    {
        _placed.RemoveAll(p => owners.Contains(p.Owner));
        if (_placed.Count == 0) (_floats, _doubles) = ([], []);
    }

    /// <summary>Fills both arrays with NaN: what a test does to show that no replay reads a planned buffer before writing it.</summary>
    internal void Poison()
    {
        _floats.AsSpan().Fill(float.NaN);
        _doubles.AsSpan().Fill(double.NaN);
    }

    /// <summary>True when <paramref name="t"/> lives in this arena.</summary>
    internal bool Holds(Tensor t) => t.StorageArray is { } a && (ReferenceEquals(a, _floats) || ReferenceEquals(a, _doubles)) && t.Length > 0;

    private void Move(Tensor t, int offset)
    {
        if (t.DType == DType.Float32) t.MoveStorage(_floats, offset);
        else t.MoveStorage(_doubles, offset);
    }
}
