using System.Globalization;
using System.Numerics;
using Descent.Kernels;

namespace Descent.Optim;

/// <summary>
/// Shared machinery of every optimizer: parameter groups, per-parameter state (moment buffers
/// allocated on a parameter's first step, then reused: the steady-state step allocates nothing),
/// the state dict, and the dispatch of one fused pass per parameter to <see cref="Update{T}"/>.
/// Large parameters are cut into chunks run on the worker pool (see <see cref="Step"/>); the update is
/// elementwise, so any thread count gives bitwise the same numbers.
/// </summary>
/// <remarks>
/// Design: one class per optimizer, each holding its update rule as a single generic loop over
/// spans (float32 and float64 share the code through <see cref="IFloatingPointIeee754{TSelf}"/>), rather
/// than a chain of separate transforms — a chain would make one pass over memory per transform.
/// Gradient clipping (<see cref="GradientClipping"/>) and schedules (<c>Descent.Schedules</c>) compose
/// around an optimizer. State dict names follow PyTorch's: <c>state.{i}.{buffer}</c> with i the
/// parameter's index over all groups in order, <c>state.{i}.step</c>, plus <c>lr</c> and <c>step_count</c>.
/// </remarks>
public abstract class Optimizer : IOptimizer, IParallelJob
{
    /// <summary>Fewest elements of a parameter worth splitting over threads.</summary>
    internal const int SplitThreshold = 1 << 14;

    /// <summary>Elements per chunk of a split parameter: a multiple of every vector width, so chunks start on a lane boundary.</summary>
    internal const int ChunkElements = 1 << 13;

    private readonly ParamGroup[] _groups;
    private readonly Tensor[] _params;   // every parameter, group by group
    private readonly ParamState[] _state; // [parameter]
    private string[]? _bufferNames;       // BufferNames, read once (the steady-state step allocates nothing)
    private readonly List<Chunk> _chunks = []; // this step's work, rebuilt each step (capacity reused: no allocation)
    private double[] _chunkSquares = [];       // Σ g² of each chunk, when the step measures the gradient norm

    /// <summary>Elements [Start, Start + Length) of parameter Param, with its group's rate and decay.</summary>
    private readonly record struct Chunk(int Param, int Start, int Length, double Lr, double WeightDecay);

    /// <summary>Per-parameter state: the step count t and the named buffers (null until the first step).</summary>
    protected sealed class ParamState
    {
        /// <summary>Number of updates this parameter has had (PyTorch's <c>state['step']</c>).</summary>
        public long Step;

        /// <summary>Buffers named by <see cref="BufferNames"/>, each shaped like the parameter.</summary>
        public Tensor?[] Buffers = [];

        /// <summary>Per-step scalars of the rule (e.g. Adam's bias corrections), set by <see cref="Prepare"/> before the chunks run.</summary>
        public readonly double[] Scalars = new double[4];

        /// <summary>Elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of the buffer at <paramref name="index"/>.</summary>
        public Span<T> Span<T>(int index, int start, int length) where T : unmanaged => Buffers[index]!.Span<T>().Slice(start, length);
    }

    /// <summary>Builds the optimizer over groups; <paramref name="learningRate"/> and <paramref name="weightDecay"/> are the defaults.</summary>
    protected Optimizer(string name, IReadOnlyList<ParamGroup> groups, double learningRate, double weightDecay)
    {
        Name = name;
        Check(learningRate >= 0, "learning rate", learningRate, "≥ 0");
        Check(weightDecay >= 0, "weight decay", weightDecay, "≥ 0");
        _groups = groups.ToArray();
        _params = _groups.SelectMany(g => g.Parameters).ToArray();
        if (_params.Length == 0) throw new ArgumentException($"{name}: got an empty parameter list; expected at least one parameter.");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _params.Length; i++)
        {
            var p = _params[i];
            if (!p.IsLeaf) throw new ArgumentException($"{name}: parameter {i} ({p.Name ?? "unnamed"}) is not a leaf tensor; can't optimize a tensor made by an op.");
            if (!seen.Add(p)) throw new ArgumentException($"{name}: parameter {i} ({p.Name ?? "unnamed"}) appears more than once.");
        }
        _state = _params.Select(_ => new ParamState()).ToArray();
        InitialLearningRate = learningRate;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>Wraps a plain parameter list as one group.</summary>
    protected static IReadOnlyList<ParamGroup> OneGroup(IEnumerable<Tensor> parameters) => [new ParamGroup(parameters)];

    /// <summary>Throws "{Name}: invalid {what}: {value} (expected {expected})" unless <paramref name="ok"/>.</summary>
    protected void Check(bool ok, string what, double value, string expected)
    {
        if (!ok) throw new ArgumentException($"{Name}: invalid {what}: {value.ToString(CultureInfo.InvariantCulture)} (expected {expected}).");
    }

    /// <summary>The optimizer's name as used in text forms ("adam", "sgd", …).</summary>
    public string Name { get; }

    /// <summary>The learning rate given at construction (α₀).</summary>
    public double InitialLearningRate { get; }

    /// <inheritdoc/>
    public double LearningRate { get; set; }

    /// <summary>The default weight decay (groups may override it).</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    public long StepCount { get; private set; }

    /// <summary>
    /// Whether <see cref="Step"/> also measures the 2-norm of the gradients it applies, ‖g‖ = √(Σ over every
    /// element of every gradient of g²), into <see cref="GradientNorm"/>. It costs almost nothing: each chunk's
    /// gradient is summed while it is in cache for the update, instead of in a pass of its own (the training loop
    /// uses this to report the norm when it does not clip). The sum runs in fixed lanes and chunk order, so it is
    /// the same for any thread count; it agrees with <see cref="GradientClipping.TotalNorm"/> to rounding.
    /// </summary>
    public bool MeasureGradientNorm { get; set; }

    /// <summary>The gradient norm measured by the last <see cref="Step"/> (NaN unless <see cref="MeasureGradientNorm"/>).</summary>
    public double GradientNorm { get; private set; } = double.NaN;

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Every parameter, group by group (the index used in state dict names).</summary>
    public IReadOnlyList<Tensor> Parameters => _params;

    /// <summary>Names of the per-parameter buffers this optimizer keeps, in <see cref="ParamState.Buffers"/> order.</summary>
    protected abstract string[] BufferNames { get; }

    /// <summary>Initial value of buffer <paramref name="index"/> (0 unless the rule says otherwise, e.g. Adagrad's accumulator).</summary>
    protected virtual double InitialBufferValue(int index) => 0;

    /// <summary>The learning rate of a group at this step (see <see cref="ParamGroup"/>).</summary>
    public double GroupLearningRate(ParamGroup group) =>
        group.LearningRate is { } g ? (InitialLearningRate != 0 ? g * (LearningRate / InitialLearningRate) : g) : LearningRate;

    /// <inheritdoc/>
    /// <remarks>
    /// Two phases. First, serially, everything that is not elementwise: checks, state allocation, step
    /// counts, and the list of chunks — one per parameter, or <see cref="ChunkElements"/>-element pieces of a
    /// parameter of at least <see cref="SplitThreshold"/> elements. Then
    /// the chunks run on the worker pool, in any order: each element's arithmetic is the same whatever chunk
    /// holds it, so 1 thread and N threads give bitwise the same parameters and state.
    /// </remarks>
    public void Step()
    {
        StepCount++;
        _chunks.Clear();   // the same chunks whatever the thread count: one thread runs them in turn, with the same bits
        int index = 0;
        foreach (var group in _groups)
        {
            double lr = GroupLearningRate(group), wd = group.WeightDecay ?? WeightDecay;
            var ps = group.Parameters;
            for (int k = 0; k < ps.Count; k++, index++)
            {
                var p = ps[k];
                var g = p.Grad;
                if (g is null) continue;
                if (g.DType != p.DType || g.Length != p.Length)
                    throw new ShapeException($"{Name}: gradient of parameter {index} ({p.Name ?? "unnamed"}) is {g.DType.Name()} {Descent.Shape.Format(g.Shape)}, expected {p.DType.Name()} {Descent.Shape.Format(p.Shape)}.");
                var s = _state[index];
                if (s.Buffers.Length != Names.Length) Allocate(s, p);
                foreach (var buffer in s.Buffers) buffer?.ConvertInPlace(p.DType);   // the parameter changed dtype (Module.To): its moments follow
                s.Step++;
                Prepare(s);
                int n = p.Length, chunk = n >= SplitThreshold ? ChunkElements : Math.Max(n, 1);
                for (int start = 0; start < n; start += chunk) _chunks.Add(new Chunk(index, start, Math.Min(chunk, n - start), lr, wd));
            }
        }
        if (MeasureGradientNorm && _chunkSquares.Length < _chunks.Count) _chunkSquares = new double[_chunks.Count];
        WorkerPool.Shared.Run(this, _chunks.Count, Threading.MaxThreads);
        if (MeasureGradientNorm)
        {
            double sum = 0;
            for (int c = 0; c < _chunks.Count; c++) sum += _chunkSquares[c];   // chunk order: the same for any thread count
            GradientNorm = Math.Sqrt(sum);
        }
        else GradientNorm = double.NaN;
    }

    /// <summary>Runs chunk <paramref name="part"/> of this step (called by the worker pool, on any thread).</summary>
    void IParallelJob.Run(int part)
    {
        var c = _chunks[part];
        var p = _params[c.Param];
        var s = _state[c.Param];
        if (p.DType == DType.Float32) RunChunk(part, s, c, p.Floats.Slice(c.Start, c.Length), p.Grad!.Floats.Slice(c.Start, c.Length));
        else RunChunk(part, s, c, p.Doubles.Slice(c.Start, c.Length), p.Grad!.Doubles.Slice(c.Start, c.Length));
    }

    private void RunChunk<T>(int part, ParamState s, Chunk c, Span<T> p, ReadOnlySpan<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (MeasureGradientNorm) _chunkSquares[part] = UpdateAndMeasure(s, c.Start, p, g, c.Lr, c.WeightDecay);
        else Update(s, c.Start, p, g, c.Lr, c.WeightDecay);
    }

    private string[] Names => _bufferNames ??= BufferNames;

    private void Allocate(ParamState s, Tensor p)
    {
        var names = Names;
        s.Buffers = new Tensor?[names.Length];
        for (int b = 0; b < names.Length; b++) s.Buffers[b] = Tensor.Full(InitialBufferValue(b), p.DType, p.ShapeArray);
    }

    /// <summary>
    /// Computes a parameter's per-step scalars into <c>s.Scalars</c> once, serially, after <c>s.Step</c> is counted and
    /// before its chunks run (they only read them): a chunk is a few thousand elements, so a <c>Math.Pow</c> per chunk would show.
    /// </summary>
    protected virtual void Prepare(ParamState s) { }

    /// <summary>
    /// One fused pass over a chunk of a parameter: updates <paramref name="p"/> in place from the gradient
    /// <paramref name="g"/> and the state <paramref name="s"/> (already counted: <c>s.Step</c> is this step's t,
    /// starting at 1). The chunk is elements [<paramref name="start"/>, <paramref name="start"/> + p.Length) of the
    /// parameter; read the state's buffers over the same elements with <c>s.Span&lt;T&gt;(b, start, p.Length)</c>.
    /// Chunks of one parameter may run at the same time on different threads: read <paramref name="s"/>'s
    /// fields (per-parameter scalars such as bias corrections are pure functions of <c>s.Step</c>), never write them.
    /// </summary>
    /// <param name="s">the parameter's state (read only here)</param>
    /// <param name="start">index of the chunk's first element in the parameter (a multiple of the vector width)</param>
    /// <param name="p">the chunk of the parameter // [chunk]</param>
    /// <param name="g">the chunk of its gradient, not modified // [chunk]</param>
    /// <param name="lr">the group's learning rate at this step</param>
    /// <param name="weightDecay">the group's weight decay</param>
    protected abstract void Update<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// <see cref="Update{T}"/>, and returns Σ g² over the chunk (for <see cref="MeasureGradientNorm"/>). This form sums
    /// each block of the gradient just before updating it (so the block is read from L1 the second time); a rule that
    /// loads g anyway overrides it to sum in its own loop.
    /// </summary>
    protected virtual double UpdateAndMeasure<T>(ParamState s, int start, Span<T> p, ReadOnlySpan<T> g, double lr, double weightDecay)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int block = 2048;   // a multiple of every vector width; four arrays of it fit L1
        double squares = 0;
        for (int b = 0; b < p.Length; b += block)
        {
            int n = Math.Min(block, p.Length - b);
            squares += double.CreateTruncating(SumOfSquares.Of(g.Slice(b, n)));
            Update(s, start + b, p.Slice(b, n), g.Slice(b, n), lr, weightDecay);
        }
        return squares;
    }

    /// <inheritdoc/>
    public void ZeroGrad()
    {
        foreach (var p in _params) p.Grad = null;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>
        {
            ["lr"] = Tensor.Full(LearningRate, DType.Float64),
            ["step_count"] = Tensor.Full(StepCount, DType.Float64),
        };
        var names = Names;
        for (int i = 0; i < _state.Length; i++)
        {
            var s = _state[i];
            if (s.Buffers.Length == 0) continue;
            d[$"state.{i}.step"] = Tensor.Full(s.Step, DType.Float64);
            for (int b = 0; b < names.Length; b++) d[$"state.{i}.{names[b]}"] = s.Buffers[b]!.Clone();
        }
        return d;
    }

    /// <inheritdoc/>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        LearningRate = Get(state, "lr").Item();
        StepCount = (long)Get(state, "step_count").Item();
        var names = Names;
        for (int i = 0; i < _state.Length; i++)
        {
            var s = _state[i];
            if (!state.TryGetValue($"state.{i}.step", out var step)) { s.Step = 0; s.Buffers = []; continue; }
            s.Step = (long)step.Item();
            var p = _params[i];
            if (s.Buffers.Length != names.Length) Allocate(s, p);
            for (int b = 0; b < names.Length; b++)
            {
                string key = $"state.{i}.{names[b]}";
                var t = Get(state, key);
                if (!Descent.Shape.Equal(t.Shape, p.Shape))
                    throw new ShapeException($"{Name}: state entry '{key}' has shape {Descent.Shape.Format(t.Shape)}, expected {Descent.Shape.Format(p.Shape)} (the parameter's).");
                s.Buffers[b]!.CopyFrom(t);
            }
        }
    }

    private Tensor Get(IReadOnlyDictionary<string, Tensor> state, string key) =>
        state.TryGetValue(key, out var t) ? t
            : throw new KeyNotFoundException($"{Name}: the state dict has no entry '{key}' (it has {state.Count} entries: {string.Join(", ", state.Keys.Take(8))}{(state.Count > 8 ? ", …" : "")}).");
}
