using Descent.Data;

namespace Descent.Tests.Data;

/// <summary>
/// A <see cref="FactAttribute"/> for a test that needs Fashion-MNIST installed (or, with <c>installed: false</c>,
/// needs it absent, to provoke the "not found" error): otherwise the runner reports it Skipped, with the reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FashionMnistFactAttribute : FactAttribute
{
    /// <summary>Skips the test unless Fashion-MNIST's presence is <paramref name="installed"/>.</summary>
    public FashionMnistFactAttribute(bool installed = true)
    {
        bool found = FashionMnist.TryLocate() is not null;
        if (installed && !found) Skip = "needs Fashion-MNIST (Debian package dataset-fashion-mnist, or ~/.descent/datasets/fashion-mnist), which is not installed";
        if (!installed && found) Skip = "Fashion-MNIST is installed here, so the not-found error cannot be provoked";
    }
}
