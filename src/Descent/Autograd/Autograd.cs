namespace Descent;

/// <summary>Gradient recording switches (per thread, like <c>torch.no_grad</c>).</summary>
public static class Autograd
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>Whether ops on this thread record the graph.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>Turns recording off until the returned scope is disposed: <c>using (Autograd.NoGrad()) { … }</c>.</summary>
    public static NoGradScope NoGrad()
    {
        _disabledDepth++;
        return new NoGradScope();
    }

    /// <summary>Ends a <see cref="NoGrad"/> scope.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => _disabledDepth--;
    }

    /// <summary>True when an op over these inputs must be recorded.</summary>
    internal static bool ShouldRecord(Tensor a) => _disabledDepth == 0 && a.RequiresGrad;

    /// <inheritdoc cref="ShouldRecord(Tensor)"/>
    internal static bool ShouldRecord(Tensor a, Tensor b) => _disabledDepth == 0 && (a.RequiresGrad || b.RequiresGrad);

    /// <inheritdoc cref="ShouldRecord(Tensor)"/>
    internal static bool ShouldRecord(ReadOnlySpan<Tensor> xs)
    {
        if (_disabledDepth != 0) return false;
        foreach (var x in xs) if (x.RequiresGrad) return true;
        return false;
    }

    /// <summary>Links <paramref name="output"/> to the op that made it.</summary>
    internal static Tensor Record(Tensor output, Node node)
    {
        output.GradFn = node;
        output.RequiresGrad = true;
        return output;
    }
}
