using Descent.Kernels;

namespace Descent.Data;

/// <summary>
/// The float32 mini-batch gather as a parallel job: rows order[start .. start+count) of a dataset, converted
/// (<see cref="Dataset.CopyRow"/>) into consecutive rows of a [count, d] buffer, split into runs of rows over the
/// worker pool. Each row is converted on its own, so the values do not depend on the split. The rows come in
/// shuffled order, so each run asks the CPU to fetch a few rows ahead (<see cref="Dataset.Prefetch"/>).
/// </summary>
internal sealed class RowGather : IParallelJob
{
    /// <summary>How many rows ahead of the one being converted are fetched.</summary>
    private const int PrefetchRows = 2;

    /// <summary>Values below which one thread is faster than waking another.</summary>
    private const int ParallelThreshold = 1 << 15;

    private Dataset? _data;
    private int[] _order = [];
    private float[]? _dst;   // [count, d] from _dstOffset (the batch tensor's storage)
    private int _dstOffset, _start, _count, _parts;

    /// <summary>Gathers rows order[start .. start+count) of <paramref name="data"/> into <paramref name="dst"/> [count, d].</summary>
    public void Run(Dataset data, int[] order, int start, int count, Tensor dst)
    {
        (_data, _order, _start, _count) = (data, order, start, count);
        (_dst, _dstOffset) = (dst.FloatStorage, dst.Offset);
        int threads = (long)count * data.FeatureCount < ParallelThreshold ? 1 : Math.Min(Threading.MaxThreads, count);
        _parts = threads;
        WorkerPool.Shared.Run(this, _parts, threads);
        _data = null; _dst = null;
    }

    /// <summary>Converts the rows of one run (part p of the count given to the pool).</summary>
    public void Run(int part)
    {
        var data = _data!;
        int d = data.FeatureCount;
        int k0 = (int)((long)part * _count / _parts), k1 = (int)((long)(part + 1) * _count / _parts);
        for (int k = k0; k < Math.Min(k0 + PrefetchRows, k1); k++) data.Prefetch(_order[_start + k]);
        for (int k = k0; k < k1; k++)
        {
            if (k + PrefetchRows < k1) data.Prefetch(_order[_start + k + PrefetchRows]);
            data.CopyRow(_order[_start + k], _dst.AsSpan(_dstOffset + k * d, d));
        }
    }
}
