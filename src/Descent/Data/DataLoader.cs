namespace Descent.Data;

/// <summary>One mini-batch: features <c>[count, d]</c>, labels <c>[count]</c> and, for a regression set or when asked
/// for, target values <c>[count, …target shape]</c>.</summary>
/// <remarks>
/// <b>Ownership.</b> By default the tensors and arrays are the loader's buffers, refilled by its next batch (so an epoch
/// allocates nothing): use a batch, then let it go. To keep batches (a list of them, a batch across steps), make the loader
/// with <c>copyBatches: true</c>, or <see cref="Tensor.Clone"/> what you keep.
/// </remarks>
public readonly struct Batch(Tensor x, int[] labels, int index, Tensor? targets = null, int globalCount = 0)
{
    /// <summary>The features (the loader's buffer unless it copies batches). // [count, d]</summary>
    public Tensor X { get; } = x;

    /// <summary>The class index of each row (the loader's buffer, exactly <see cref="Count"/> long). // [count]</summary>
    public int[] Labels { get; } = labels;

    /// <summary>0-based position of the batch within its epoch.</summary>
    public int Index { get; } = index;

    /// <summary>Target values: regression targets, or one-hot labels (see <see cref="DataLoader.OneHotTargets"/>); else null. // [count, …target shape]</summary>
    public Tensor? Targets { get; } = targets;

    /// <summary>Number of rows (the batch size, or fewer for the last batch without drop-last).</summary>
    public int Count => Labels.Length;

    /// <summary>Rows of the whole global batch this batch is a shard of (see <see cref="DataShard"/>); <see cref="Count"/> when not sharded.</summary>
    public int GlobalCount { get; } = globalCount > 0 ? globalCount : labels.Length;
}

/// <summary>
/// A seeded mini-batch loader. Each epoch visits the rows in an order that is a pure function of (seed, epoch)
/// — Fisher–Yates with our <see cref="Rng"/> on stream <see cref="Stream"/> + epoch — so a run resumed at
/// epoch e (even mid-epoch, with <c>skipBatches</c>) sees exactly the batches it would have seen.
/// Batches are gathered into buffers allocated once, so the steady state allocates nothing — and a batch is valid only until
/// the next one; with <c>copyBatches</c> each batch has its own tensors and arrays instead (see <see cref="Batch"/>).
/// </summary>
/// <remarks>
/// With <c>dropLast</c> the last n mod b rows of each epoch's order are skipped (PyTorch's <c>drop_last=True</c>);
/// without it the last batch is smaller. Without shuffling every epoch visits rows 0..n−1 in order.
/// With an <see cref="Data.Augmentation"/> each gathered batch of images is augmented in place, from the seed's
/// stream for (epoch, batch): a pure function of them too.
/// </remarks>
public sealed class DataLoader
{
    /// <summary>The base RNG stream of the shuffle (epoch e uses stream <c>Stream + e</c>).</summary>
    public const ulong Stream = 0x10AD_0000;

    private readonly int[] _order;   // [n] current epoch's row order
    private readonly Tensor _x;      // [batch, d]
    private readonly int[] _y;       // [batch]
    private readonly Tensor? _xTail; // [n mod batch, d]
    private readonly int[]? _yTail;  // [n mod batch]
    private readonly Tensor? _t;     // [batch, k] target values, or null
    private readonly Tensor? _tTail; // [n mod batch, k]
    private readonly RowGather _gather = new();
    private readonly Rng _augmentRng = new(0);   // reseeded for each batch
    private readonly float[]? _fill;             // [d] the value of a pixel shifted in
    private readonly double[]? _fill64;          // [d] the same, for float64 batches
    private readonly float[]? _scratch;          // [d] one image
    private readonly double[]? _scratch64;       // [d]
    private int _next;

    /// <summary>A loader over <paramref name="data"/> in batches of <paramref name="batchSize"/>, as float32 (or float64) tensors.</summary>
    /// <param name="oneHotTargets">For a classification set: also give each batch its labels one-hot as <see cref="Batch.Targets"/>
    /// (for a value loss such as mse). A regression set always gives its targets.</param>
    /// <param name="shard">In data-parallel training: this rank's part of every batch (null: the whole batch).</param>
    /// <param name="copyBatches">Give each batch its own tensors and arrays (safe to keep) instead of the loader's reused buffers.</param>
    /// <param name="data">The rows to serve.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="shuffle">Visit the rows in a new seeded order each epoch.</param>
    /// <param name="dropLast">Skip the last, smaller batch of an epoch.</param>
    /// <param name="seed">The shuffle's seed.</param>
    /// <param name="dtype">The element type of the batch tensors.</param>
    /// <param name="augment">Augment each batch of images (null: off); the examples must be images [C, H, W].</param>
    /// <param name="fill">With <paramref name="augment"/>: the value of each pixel shifted in, per feature (null: 0; see <see cref="Data.Augmentation"/>). // [d]</param>
    public DataLoader(Dataset data, int batchSize, bool shuffle = true, bool dropLast = false, ulong seed = 0, DType dtype = DType.Float32, bool oneHotTargets = false,
        DataShard? shard = null, bool copyBatches = false, Augmentation? augment = null, ReadOnlySpan<float> fill = default)
    {
        CopyBatches = copyBatches;
        if (batchSize < 1) throw new ArgumentException($"Batch size must be ≥ 1, got {batchSize}.");
        Shard = shard ?? DataShard.Whole;
        Shard.Check(batchSize, dropLast ? 0 : data.Count % batchSize);
        if (dropLast && data.Count < batchSize)
            throw new ArgumentException($"Batch size {batchSize} with drop-last leaves no batch of the {data.Count} rows of '{data.Name}'.");
        Data = data;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Seed = seed;
        int d = data.FeatureCount, tail = data.Count % batchSize;
        _order = new int[data.Count];
        int rows = Shard.Range(batchSize).Rows, tailRows = Shard.Range(tail).Rows;
        _x = Tensor.Zeros(dtype, rows, d);
        _y = new int[rows];
        if (tail > 0 && !dropLast)
        {
            _xTail = Tensor.Zeros(dtype, tailRows, d);
            _yTail = new int[tailRows];
        }
        OneHotTargets = oneHotTargets && !data.IsRegression;
        int k = data.IsRegression ? data.TargetNames.Count : OneHotTargets ? data.ClassCount : 0;
        if (k > 0)
        {
            int[] targetShape = data.IsRegression ? data.TargetShape : [k];
            _t = Tensor.Zeros(dtype, [rows, .. targetShape]);
            if (_xTail is not null) _tTail = Tensor.Zeros(dtype, [tailRows, .. targetShape]);
        }
        BatchCount = dropLast ? data.Count / batchSize : (data.Count + batchSize - 1) / batchSize;
        if (augment is not null)
        {
            augment.Check(data.FeatureShape, data.Name);
            if (!fill.IsEmpty && fill.Length != d) throw new ShapeException($"augmentation fill has {fill.Length} values; the examples have {d} features.");
            Augmentation = augment;
            if (dtype == DType.Float32) { _fill = fill.IsEmpty ? new float[d] : fill.ToArray(); _scratch = new float[d]; }
            else
            {
                _fill64 = new double[d];
                for (int j = 0; j < fill.Length; j++) _fill64[j] = fill[j];
                _scratch64 = new double[d];
            }
        }
        StartEpoch(0);
    }

    /// <summary>The rows served.</summary>
    public Dataset Data { get; }

    /// <summary>Rows per batch (the last batch of an epoch may have fewer, unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the rows in a new seeded order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether the last, smaller batch of an epoch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>The shuffle's seed.</summary>
    public ulong Seed { get; }

    /// <summary>The part of every batch this loader gives (<see cref="DataShard.Whole"/> outside data-parallel training).</summary>
    public DataShard Shard { get; }

    /// <summary>Whether each batch has its own tensors and arrays (true) or the loader's reused buffers (false).</summary>
    public bool CopyBatches { get; }

    /// <summary>The augmentation applied to each batch, or null.</summary>
    public Augmentation? Augmentation { get; }

    /// <summary>Whether batches of a classification set carry one-hot targets.</summary>
    public bool OneHotTargets { get; }

    /// <summary>Number of batches in each epoch.</summary>
    public int BatchCount { get; }

    /// <summary>The epoch <see cref="StartEpoch"/> last started.</summary>
    public int Epoch { get; private set; }

    /// <summary>The row order of the current epoch. // [n]</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>Writes the row order of <paramref name="epoch"/> for <paramref name="seed"/> into <paramref name="order"/> (a pure function).</summary>
    public static void EpochOrder(ulong seed, int epoch, bool shuffle, Span<int> order)
    {
        if (epoch < 0) throw new ArgumentException($"Epoch must be ≥ 0, got {epoch}.");
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (shuffle) new Rng(seed, Stream + (ulong)epoch).Shuffle(order);
    }

    /// <summary>Starts epoch <paramref name="epoch"/> (0-based), skipping its first <paramref name="skipBatches"/> batches (to resume mid-epoch).</summary>
    public void StartEpoch(int epoch, int skipBatches = 0)
    {
        if (skipBatches < 0 || skipBatches > BatchCount) throw new ArgumentException($"Cannot skip {skipBatches} batches of an epoch of {BatchCount}.");
        EpochOrder(Seed, epoch, Shuffle, _order);
        Epoch = epoch;
        _next = skipBatches;
    }

    /// <summary>Gathers the next batch of the current epoch; false at the end of the epoch.</summary>
    public bool Next(out Batch batch)
    {
        if (_next >= BatchCount) { batch = default; return false; }
        int first = _next * BatchSize, global = Math.Min(BatchSize, Data.Count - first);
        var (x, y) = global == BatchSize ? (_x, _y) : (_xTail!, _yTail!);
        var (offset, count) = Shard.Range(global);   // this rank's rows of the global batch
        int start = first + offset;
        int d = Data.FeatureCount;
        if (x.DType == DType.Float32)
        {
            for (int k = 0; k < count; k++) y[k] = Data.Labels[_order[start + k]];
            _gather.Run(Data, _order, start, count, x);
        }
        else
        {
            var src = Data.Features;
            var dst = x.Doubles;
            for (int k = 0; k < count; k++)
            {
                int row = _order[start + k];
                for (int j = 0; j < d; j++) dst[k * d + j] = src[row * d + j];
                y[k] = Data.Labels[row];
            }
        }
        if (Augmentation is { } a)
        {
            _augmentRng.Reseed(Seed, Augmentation.StreamOf(Epoch, _next));
            if (x.DType == DType.Float32) a.Apply(x.Floats, count, Data.FeatureShape, _fill, _augmentRng, _scratch);
            else a.Apply(x.Doubles, count, Data.FeatureShape, _fill64, _augmentRng, _scratch64);
        }
        var t = global == BatchSize ? _t : _tTail;
        if (t is not null) GatherTargets(start, count, y, t);
        batch = CopyBatches ? new Batch(x.Clone(), (int[])y.Clone(), _next, t?.Clone(), global) : new Batch(x, y, _next, t, global);
        _next++;
        return true;
    }

    /// <summary>Fills t [count, k] with the targets of the batch's rows, or with the one-hot rows of its labels <paramref name="y"/>.</summary>
    private void GatherTargets(int start, int count, int[] y, Tensor t)
    {
        int k = t.Length / Math.Max(1, t.Shape[0]);
        var src = Data.Targets;
        for (int r = 0; r < count; r++)
            for (int j = 0; j < k; j++)
                t[r * k + j] = src is not null ? src[_order[start + r] * k + j] : y[r] == j ? 1 : 0;
    }

    /// <summary>Starts <paramref name="epoch"/> and returns its batches for <c>foreach</c> (no allocation per batch).</summary>
    public EpochBatches Batches(int epoch, int skipBatches = 0)
    {
        StartEpoch(epoch, skipBatches);
        return new EpochBatches(this);
    }

    /// <summary>The batches of the current epoch, as a struct enumerable.</summary>
    public readonly struct EpochBatches(DataLoader loader)
    {
        /// <summary>The enumerator <c>foreach</c> uses.</summary>
        public Enumerator GetEnumerator() => new(loader);
    }

    /// <summary>A struct enumerator over the current epoch.</summary>
    public struct Enumerator(DataLoader loader)
    {
        private Batch _current;

        /// <summary>The batch just gathered.</summary>
        public readonly Batch Current => _current;

        /// <summary>Gathers the next batch; false at the end of the epoch.</summary>
        public bool MoveNext() => loader.Next(out _current);
    }
}
