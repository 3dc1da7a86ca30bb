namespace Descent;

/// <summary>Element type of a tensor: float32 (the default, for training) or float64 (for gradient checks and references).</summary>
public enum DType
{
    /// <summary>32-bit IEEE-754 floats (PyTorch's <c>torch.float32</c>), the default.</summary>
    Float32,
    /// <summary>64-bit IEEE-754 floats (<c>torch.float64</c>), for gradient checks and references.</summary>
    Float64,
}

/// <summary>Helpers on <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this DType dtype) => dtype == DType.Float32 ? 4 : 8;

    /// <summary>The lower-case name used in files and messages ("float32", "float64").</summary>
    public static string Name(this DType dtype) => dtype == DType.Float32 ? "float32" : "float64";
}
