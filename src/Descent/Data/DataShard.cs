namespace Descent.Data;

/// <summary>
/// One rank's part of every global mini-batch in data-parallel training: of a batch of b rows, rank r of n takes the
/// contiguous rows [⌊b·r/n⌋, ⌊b·(r+1)/n⌋) — shards differ by at most one row, and together they are the batch a
/// one-process run sees, in its order.
/// </summary>
/// <param name="Rank">This rank, 0 … <paramref name="Count"/> − 1.</param>
/// <param name="Count">The number of ranks.</param>
public readonly record struct DataShard(int Rank, int Count)
{
    /// <summary>The whole batch (one process).</summary>
    public static DataShard Whole => new(0, 1);

    /// <summary>This rank's rows of a batch of <paramref name="rows"/>: the first row's offset and the number of rows.</summary>
    public (int Offset, int Rows) Range(int rows)
    {
        int lo = (int)((long)rows * Rank / Count), hi = (int)((long)rows * (Rank + 1) / Count);
        return (lo, hi - lo);
    }

    /// <summary>Throws when a rank would get no row of a batch of <paramref name="batchSize"/> or of the last, smaller batch of <paramref name="tail"/> rows (0: none).</summary>
    public void Check(int batchSize, int tail)
    {
        if (Count < 1 || Rank < 0 || Rank >= Count) throw new ArgumentException($"A data shard is rank 0 … count − 1 of count ≥ 1; got rank {Rank} of {Count}.");
        if (batchSize < Count)
            throw new ArgumentException($"--batch-size {batchSize} is smaller than the {Count} ranks: each rank needs at least one row of every batch.");
        if (tail > 0 && tail < Count)
            throw new ArgumentException($"the last batch of each epoch has {tail} rows, fewer than the {Count} ranks; pass --drop-last or choose another --batch-size.");
    }
}
