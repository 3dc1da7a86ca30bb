namespace Descent.Training;

/// <summary>
/// Mini-batches for the training loop: features x [batch, features] and integer labels. The order of
/// epoch e must depend only on the source's seed and e, so a resumed run sees the same batches.
/// </summary>
public interface IBatchSource
{
    /// <summary>Samples per epoch (after drop-last).</summary>
    int SamplesPerEpoch { get; }

    /// <summary>Batches per epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/>; the tensors may be reused buffers, valid until the next batch.</summary>
    IEnumerable<(Tensor X, int[] Labels)> Epoch(int epoch);
}
