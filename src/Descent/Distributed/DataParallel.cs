using System.Diagnostics;
using System.Runtime.InteropServices;
using Descent.Nn;
using Descent.Optim;
using Descent.Training;

namespace Descent.Distributed;

/// <summary>
/// Data-parallel training over MPI (what PyTorch's <c>DistributedDataParallel</c> and Horovod do): every rank holds the
/// whole model, takes its shard of each global batch (<see cref="Data.DataShard"/>), and after backward the ranks'
/// gradients are summed with one allreduce, each weighted by its shard's share of the batch, so every rank applies the
/// same optimizer step as a one-process run on the whole batch — up to the order of the floating-point additions.
/// </summary>
/// <remarks>
/// <para>The global gradient: the loss is a mean over the global batch of b rows, so with rank r's shard mean L_r over
/// b_r rows, ∇L = Σ_r (b_r / b)·∇L_r (for a loss that sums, the weight is 1). Each rank scales its gradients by
/// b_r / b while it packs them into one buffer (one allreduce per step, not one per tensor), and the loss and hit count
/// travel in a second, two-element allreduce in float64 so the reported figures keep their precision.</para>
/// <para>Determinism: <see cref="Mpi"/> fixes Open MPI's allreduce to the ring algorithm, whose order of additions
/// depends only on the number of ranks; every rank gets bitwise the same sums, so the weights stay identical on every
/// rank (checked by <see cref="Same"/>) and a run is bitwise reproducible from its seed for a given number of ranks.
/// With two ranks any algorithm would do: a + b is b + a in IEEE arithmetic.</para>
/// <para>Batch normalization: each rank normalizes with its own shard's statistics (as <c>DistributedDataParallel</c>
/// without <c>SyncBatchNorm</c>), and after every step the running statistics (the model's buffers) are copied from
/// rank 0 to the others (as its <c>broadcast_buffers=True</c>), so evaluation and checkpoints agree on every rank. A
/// model with batch norm therefore does not match a one-process run; a model without it does.</para>
/// </remarks>
public sealed class DataParallel : IGradientReducer
{
    private readonly Mpi _mpi;
    private readonly Tensor[] _buffers;   // the model's buffers (batch-norm running statistics), copied from rank 0 each step
    private float[] _floats = [];         // [Σ parameter sizes] packed gradients, float32 models
    private double[] _doubles = [];       // [Σ parameter sizes] packed gradients, float64 models
    private byte[] _bufferBytes = [];     // [Σ buffer bytes]
    private readonly double[] _figures = new double[2];   // [loss·share, correct]
    private long _waitTicks, _allreduceTicks;

    /// <param name="mpi">The initialized MPI of this process.</param>
    /// <param name="model">The model the trainer trains (its buffers are kept equal to rank 0's).</param>
    public DataParallel(Mpi mpi, Module model)
    {
        _mpi = mpi;
        _buffers = model.NamedBuffers().Select(b => b.Tensor).ToArray();
    }

    /// <summary>This process's rank.</summary>
    public int Rank => _mpi.Rank;

    /// <summary>The number of ranks.</summary>
    public int Size => _mpi.Size;

    /// <summary>Steps reduced so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Bytes of gradients each rank contributes to the allreduce of one step.</summary>
    public long GradientBytes { get; private set; }

    /// <summary>
    /// Seconds spent so far in the first, two-element allreduce of each step (the loss and hits): as every rank must
    /// arrive before it returns, this is mostly waiting for the slowest rank (uneven shards, a busy core).
    /// </summary>
    public double WaitSeconds => _waitTicks / (double)Stopwatch.Frequency;

    /// <summary>
    /// Seconds spent so far in the gradients' allreduce (and the buffers' broadcast), which starts with every rank
    /// present: the cost of moving and summing <see cref="GradientBytes"/> a step.
    /// </summary>
    public double AllreduceSeconds => _allreduceTicks / (double)Stopwatch.Frequency;

    /// <summary>Seconds in MPI calls of <see cref="Reduce"/> so far: <see cref="WaitSeconds"/> + <see cref="AllreduceSeconds"/>.</summary>
    public double CommunicationSeconds => WaitSeconds + AllreduceSeconds;

    /// <inheritdoc/>
    public (double Loss, int Correct) Reduce(IReadOnlyList<Tensor> parameters, double share, double loss, int correct)
    {
        bool f32 = parameters.Count == 0 || parameters[0].DType == DType.Float32;
        int total = 0;
        for (int i = 0; i < parameters.Count; i++) total += parameters[i].Length;   // indexed loops: no enumerator is allocated a step
        if (f32 && _floats.Length != total) _floats = new float[total];
        if (!f32 && _doubles.Length != total) _doubles = new double[total];
        GradientBytes = (long)total * (f32 ? sizeof(float) : sizeof(double));
        int at = 0;
        for (int i = 0; i < parameters.Count; i++)   // pack, weighted by this shard's share of the batch
        {
            var p = parameters[i];
            if (p.Grad is null) { if (f32) _floats.AsSpan(at, p.Length).Clear(); else _doubles.AsSpan(at, p.Length).Clear(); }
            else if (f32) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad.Floats, (float)share, _floats.AsSpan(at, p.Length));
            else System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad.Doubles, share, _doubles.AsSpan(at, p.Length));
            at += p.Length;
        }
        _figures[0] = loss * share;
        _figures[1] = correct;
        long start = Stopwatch.GetTimestamp();
        _mpi.AllreduceSum(_figures);   // first: it returns once the last rank has arrived, so it holds the waiting
        long arrived = Stopwatch.GetTimestamp();
        if (f32) _mpi.AllreduceSum(_floats); else _mpi.AllreduceSum(_doubles);
        if (_buffers.Length > 0) BroadcastBuffers();
        long end = Stopwatch.GetTimestamp();
        _waitTicks += arrived - start;
        _allreduceTicks += end - arrived;
        at = 0;
        for (int i = 0; i < parameters.Count; i++)   // unpack the global gradient
        {
            var p = parameters[i];
            if (p.Grad is not null)
            {
                if (f32) _floats.AsSpan(at, p.Length).CopyTo(p.Grad.Floats);
                else _doubles.AsSpan(at, p.Length).CopyTo(p.Grad.Doubles);
            }
            at += p.Length;
        }
        Steps++;
        return (_figures[0], (int)_figures[1]);
    }

    /// <summary>Copies rank 0's buffers (batch-norm running statistics) to every rank.</summary>
    private void BroadcastBuffers()
    {
        int bytes = 0;
        foreach (var b in _buffers) bytes += Bytes(b).Length;
        if (_bufferBytes.Length != bytes) _bufferBytes = new byte[bytes];
        int at = 0;
        foreach (var b in _buffers) { var s = Bytes(b); s.CopyTo(_bufferBytes.AsSpan(at)); at += s.Length; }
        _mpi.Broadcast(_bufferBytes);
        at = 0;
        foreach (var b in _buffers) { var s = Bytes(b); _bufferBytes.AsSpan(at, s.Length).CopyTo(s); at += s.Length; }
    }

    /// <summary>
    /// Whether every rank holds bitwise the same model and optimizer state as rank 0 (a 64-bit FNV-1a hash of their bytes,
    /// broadcast from rank 0 and compared on every rank; the count of differing ranks is summed so every rank gets the
    /// same answer). Call it on every rank at the same point: at the start (after a resume, every rank must have read the
    /// same checkpoint) and at the end of a run.
    /// </summary>
    /// <returns>The number of ranks whose state differs from rank 0's (0: all the same).</returns>
    public int Same(Module model, IOptimizer? optimizer = null)
    {
        ulong hash = 14695981039346656037UL;
        foreach (var t in model.StateDict().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value)
                     .Concat(optimizer?.StateDict().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value) ?? []))
            foreach (byte b in Bytes(t)) hash = (hash ^ b) * 1099511628211UL;
        var root = new byte[sizeof(ulong)];
        BitConverter.TryWriteBytes(root, hash);
        _mpi.Broadcast(root);
        double[] differs = [BitConverter.ToUInt64(root) == hash ? 0 : 1];
        _mpi.AllreduceSum(differs);
        return (int)differs[0];
    }

    private static Span<byte> Bytes(Tensor t) => t.DType == DType.Float32 ? MemoryMarshal.AsBytes(t.Floats) : MemoryMarshal.AsBytes(t.Doubles);
}
