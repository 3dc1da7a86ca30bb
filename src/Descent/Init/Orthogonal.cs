namespace Descent.Init;

/// <summary>
/// A (semi-)orthogonal matrix times a gain (Saxe et al. 2013; <c>nn.init.orthogonal_</c>): the tensor is viewed as
/// [rows = shape[0], cols = product of the rest]; a Gaussian matrix A is drawn, its QR decomposition A = QR taken,
/// Q's columns multiplied by sign(diag R) (so the result is uniformly distributed), and w = g·Q (transposed when rows &lt; cols).
/// Then WWᵀ = g²I (rows ≤ cols) or WᵀW = g²I (rows ≥ cols).
/// </summary>
/// <remarks>QR by modified Gram–Schmidt in float64; PyTorch uses LAPACK's Householder QR, which gives the same Q for the same A.</remarks>
public sealed class Orthogonal(double gain = 1.0) : Initializer
{
    /// <summary>The multiplier g.</summary>
    public double GainValue { get; } = gain;

    /// <inheritdoc/>
    public override Tensor Initialize(Tensor tensor, Rng rng, (int FanIn, int FanOut)? fans = null)
    {
        if (tensor.Rank < 2)
            throw new ArgumentException($"Orthogonal initializer: needs a tensor with at least 2 dimensions, got shape {Shape.Format(tensor.Shape)}.");
        int rows = tensor.Shape[0], cols = tensor.Length / Math.Max(rows, 1);
        if (tensor.Length == 0) return tensor;
        int n = Math.Max(rows, cols), m = Math.Min(rows, cols);
        // a [n, m] column-major as m columns of length n (the transposed draw when rows < cols, as PyTorch does).
        var flat = new double[rows * cols];
        for (int i = 0; i < flat.Length; i++) flat[i] = rng.NextNormal();
        var q = new double[m][];
        for (int j = 0; j < m; j++)
        {
            q[j] = new double[n];
            for (int i = 0; i < n; i++) q[j][i] = rows >= cols ? flat[i * cols + j] : flat[j * cols + i];
        }
        for (int j = 0; j < m; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += q[k][i] * q[j][i];
                for (int i = 0; i < n; i++) q[j][i] -= dot * q[k][i];
            }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += q[j][i] * q[j][i];
            norm = Math.Sqrt(norm);                 // = R[j, j] > 0, so sign(diag R) = +1 already
            if (norm == 0) throw new InvalidOperationException("Orthogonal initializer: drew a rank-deficient matrix (probability zero); use another seed.");
            for (int i = 0; i < n; i++) q[j][i] /= norm;
        }
        var outv = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                outv[r * cols + c] = GainValue * (rows >= cols ? q[c][r] : q[r][c]);
        if (tensor.DType == DType.Float32) { var s = tensor.Floats; for (int i = 0; i < s.Length; i++) s[i] = (float)outv[i]; }
        else outv.CopyTo(tensor.Doubles);
        return tensor;
    }

    /// <inheritdoc/>
    public override string ToString() => GainValue == 1 ? "orthogonal" : $"orthogonal:{F(GainValue)}";
}
