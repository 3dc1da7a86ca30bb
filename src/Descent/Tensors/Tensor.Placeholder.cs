namespace Descent;

public sealed partial class Tensor
{
    private Tensor? _root;                                   // the placeholder this tensor is a view of, if any
    private List<(Tensor View, int Offset)>? _views;         // a placeholder's views, with their offsets from its own

    /// <summary>
    /// A stand-in for an input of a captured step (<see cref="CapturedStep"/>): it reads <paramref name="source"/>'s
    /// elements in place, and <see cref="Rebind"/> points it — and every view made of it — at another tensor's elements,
    /// so a replayed step reads the new batch without a copy (TinyJit swaps its input buffers the same way).
    /// </summary>
    internal static Tensor Placeholder(Tensor source)
    {
        var t = source._f is not null ? new Tensor(source.ShapeArray, source._f, source._offset) : new Tensor(source.ShapeArray, source._d!, source._offset);
        t._views = [];
        t.Name = source.Name;
        return t;
    }

    /// <summary>Reads <paramref name="source"/>'s elements from now on (same shape and dtype; no copy).</summary>
    internal void Rebind(Tensor source)
    {
        if (_views is null) throw new InvalidOperationException("Rebind: only a placeholder can be rebound.");
        if (source.DType != DType || !Descent.Shape.Equal(source.Shape, Shape))
            throw new ShapeException($"Rebind: a placeholder of {DType.Name()} {Descent.Shape.Format(Shape)} cannot read {source.DType.Name()} {Descent.Shape.Format(source.Shape)}.");
        (_f, _d, _offset) = (source._f, source._d, source._offset);
        foreach (var (view, rel) in _views) (view._f, view._d, view._offset) = (_f, _d, _offset + rel);
    }

    /// <summary>Registers a view made of this tensor with the placeholder it comes from, and with a recording tape (no-op for ordinary tensors).</summary>
    private Tensor Track(Tensor view)
    {
        if (Tape.Tracking) Tape.Viewed(this, view);   // a planned buffer moves with its views
        var root = _views is not null ? this : _root;
        if (root is null) return view;
        view._root = root;
        root._views!.Add((view, view._offset - root._offset));
        return view;
    }
}
