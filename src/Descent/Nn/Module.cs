namespace Descent.Nn;

/// <summary>
/// Base of every layer and model, as <c>torch.nn.Module</c>: it owns named parameters (leaves with
/// <c>RequiresGrad</c>), buffers (state that is saved but not trained, such as batch norm's running
/// mean) and child modules, and switches between training and evaluation mode.
/// </summary>
/// <remarks>
/// Names follow PyTorch's state dict: a child's tensors are prefixed with the child's name and a dot,
/// so the first Linear of a Sequential owns <c>0.weight</c> and <c>0.bias</c>.
/// </remarks>
public abstract class Module
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = [];
    private readonly List<(string Name, Tensor Tensor)> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];

    /// <summary>y = f(x): the layer's computation, recorded for autograd.</summary>
    public abstract Tensor Forward(Tensor x);

    /// <summary>Runs <see cref="Forward"/>; containers call their children through it, so <see cref="Summary"/> sees every layer's output.</summary>
    public Tensor Call(Tensor x)
    {
        var y = Forward(x);
        _observer?.Invoke(this, y);
        return y;
    }

    [ThreadStatic] private static Action<Module, Tensor>? _observer;

    /// <summary>True while something on this thread watches every module's output (then no layers are fused: each is seen).</summary>
    internal static bool IsObserved => _observer is not null;

    /// <summary>The module's type name as shown in summaries (e.g. <c>Linear</c>, <c>ReLU</c>).</summary>
    public virtual string TypeName => GetType().Name;

    /// <summary>Every module of the tree with its dotted path (this one first, with name ""), depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (n, c) in _children)
            foreach (var item in c.NamedModules(prefix.Length == 0 ? n : prefix + "." + n)) yield return item;
    }

    /// <summary>
    /// Runs one forward pass of zeros of <paramref name="inputShape"/> (batch first; float32 unless the model holds float64)
    /// in evaluation mode without recording gradients, and returns one row per leaf layer in execution order:
    /// its dotted name, type, output shape and parameter count. Training mode is restored afterwards.
    /// </summary>
    public ModelSummary Summary(params int[] inputShape)
    {
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ShapeException($"Summary: input shape must have positive dimensions (batch first), got {Shape.Format(inputShape)}.");
        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (n, m) in NamedModules()) names.TryAdd(m, n);
        var rows = new List<ModelSummary.Row>();
        bool wasTraining = Training;
        var saved = _observer;
        var dtype = NamedParameters().Select(p => p.Tensor.DType).DefaultIfEmpty(DType.Float32).First();
        Tensor output;
        try
        {
            SetTraining(false);
            _observer = (m, y) =>
            {
                if (m._children.Count == 0 && names.TryGetValue(m, out var n))
                    rows.Add(new ModelSummary.Row(n, m.TypeName, y.ShapeArray, m.NamedParameters().Sum(p => (long)p.Tensor.Length)));
            };
            using (Autograd.NoGrad()) output = Call(Tensor.Zeros(dtype, inputShape));
        }
        finally
        {
            _observer = saved;
            SetTraining(wasTraining);
        }
        return new ModelSummary(rows, output.ShapeArray, ParameterCount, NamedBuffers().Sum(b => (long)b.Tensor.Length));
    }

    /// <summary>True in training mode (dropout active, batch norm uses batch statistics); false in evaluation mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Sets training mode on this module and every descendant (<see cref="ModuleModes.Train"/> returns the module's own type).</summary>
    internal void SetTraining(bool training)
    {
        Training = training;
        foreach (var (_, c) in _children) c.SetTraining(training);
    }

    /// <summary>Registers a trainable tensor under <paramref name="name"/> (sets RequiresGrad and the tensor's Name).</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        CheckName(name);
        tensor.RequiresGrad = true;
        tensor.Name ??= name;
        _parameters.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers a saved, untrained tensor under <paramref name="name"/>.</summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        CheckName(name);
        tensor.Name ??= name;
        _buffers.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers a child module under <paramref name="name"/> (its tensors become <c>name.…</c>).</summary>
    protected TModule RegisterModule<TModule>(string name, TModule module) where TModule : Module
    {
        CheckName(name);
        _children.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"Module member name '{name}' must be non-empty and contain no '.'.");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"Module already has a member named '{name}'.");
    }

    /// <summary>Replaces a registered parameter or buffer tensor in place of the old one (e.g. after a dtype change).</summary>
    protected void ReplaceTensor(string name, Tensor tensor)
    {
        int i = _parameters.FindIndex(p => p.Name == name);
        if (i >= 0) { tensor.RequiresGrad = true; tensor.Name ??= name; _parameters[i] = (name, tensor); OnTensorReplaced(name, tensor); return; }
        i = _buffers.FindIndex(p => p.Name == name);
        if (i >= 0) { tensor.Name ??= name; _buffers[i] = (name, tensor); OnTensorReplaced(name, tensor); return; }
        throw new ArgumentException($"Module has no parameter or buffer named '{name}'.");
    }

    /// <summary>Called when a tensor is replaced (by <see cref="To"/> or a state-dict load of another dtype), so a subclass can update its fields.</summary>
    protected virtual void OnTensorReplaced(string name, Tensor tensor) { }

    /// <summary>The direct children, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>Every parameter of this module and its descendants with its dotted name, in registration order.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in _parameters) yield return (prefix + n, p);
        foreach (var (n, c) in _children)
            foreach (var item in c.NamedParameters(prefix + n + ".")) yield return item;
    }

    /// <summary>Every buffer of this module and its descendants with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers(string prefix = "")
    {
        foreach (var (n, b) in _buffers) yield return (prefix + n, b);
        foreach (var (n, c) in _children)
            foreach (var item in c.NamedBuffers(prefix + n + ".")) yield return item;
    }

    /// <summary>The parameters, in the order of <see cref="NamedParameters"/> (a property, as <see cref="Optim.Optimizer.Parameters"/>).</summary>
    public IReadOnlyList<Tensor> Parameters => NamedParameters().Select(p => p.Tensor).ToList();

    /// <summary>Number of trainable scalars.</summary>
    public long ParameterCount => NamedParameters().Sum(p => (long)p.Tensor.Length);

    /// <summary>
    /// Zeroes every parameter's gradient in place (a parameter without one gets a zero tensor), so <c>p.Grad</c> is usable
    /// right after; with <paramref name="setToNone"/> sets them to null instead (PyTorch's <c>zero_grad(set_to_none=True)</c>,
    /// which saves the memory until the next backward pass).
    /// </summary>
    public void ZeroGrad(bool setToNone = false)
    {
        foreach (var (_, p) in NamedParameters())
            if (setToNone) p.Grad = null;
            else if (p.Grad is { } g && g.DType == p.DType) g.Fill(0);
            else p.Grad = p.ZerosLike();
    }

    /// <summary>Parameters then buffers by dotted name (PyTorch's <c>state_dict()</c>); the tensors themselves, not copies.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (n, t) in NamedParameters()) d[n] = t;
        foreach (var (n, t) in NamedBuffers()) d[n] = t;
        return d;
    }

    /// <summary>
    /// Copies values into this module's parameters and buffers by name. With <paramref name="strict"/> (default),
    /// a missing or unexpected name is an error; a shape mismatch always is. Messages list the names.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new ArgumentException("LoadStateDict: " +
                (missing.Count > 0 ? $"missing {string.Join(", ", missing)}" : "") +
                (missing.Count > 0 && unexpected.Count > 0 ? "; " : "") +
                (unexpected.Count > 0 ? $"unexpected {string.Join(", ", unexpected)}" : "") + ".");
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            if (!Shape.Equal(source.Shape, target.Shape))
                throw new ShapeException($"LoadStateDict: '{name}' has shape {Shape.Format(source.Shape)} in the state, {Shape.Format(target.Shape)} in the model.");
            target.CopyFrom(source);
        }
    }

    /// <summary>
    /// Converts every parameter and buffer to <paramref name="dtype"/> <b>in place</b>, as PyTorch's <c>module.to(dtype)</c>:
    /// the tensor objects stay the same, so an optimizer made before keeps training them. Gradients are dropped; an
    /// optimizer's state (Adam's moments) is converted by the optimizer at its next step.
    /// </summary>
    public Module To(DType dtype)
    {
        foreach (var (n, p) in _parameters) if (p.DType != dtype) { p.ConvertInPlace(dtype); OnTensorReplaced(n, p); }
        foreach (var (n, b) in _buffers) if (b.DType != dtype) { b.ConvertInPlace(dtype); OnTensorReplaced(n, b); }
        foreach (var (_, c) in _children) c.To(dtype);
        return this;
    }

    /// <summary>
    /// PyTorch's module <c>repr</c>: a leaf prints as <c>Linear(in_features=4, out_features=16, bias=true)</c>, a container
    /// as its name then one indented line per child, <c>(0): Linear(…)</c>, and a closing parenthesis.
    /// </summary>
    public override string ToString()
    {
        if (_children.Count == 0) return $"{TypeName}({ExtraRepr()})";
        var sb = new System.Text.StringBuilder(TypeName).Append('(');
        string extra = ExtraRepr();
        if (extra.Length > 0) sb.Append('\n').Append("  ").Append(extra);
        foreach (var (n, c) in _children)
            sb.Append('\n').Append("  (").Append(n).Append("): ").Append(c.ToString().Replace("\n", "\n  "));
        return sb.Append("\n)").ToString();
    }

    /// <summary>The arguments shown inside the parentheses of <see cref="ToString"/> (PyTorch's <c>extra_repr</c>); default none.</summary>
    protected virtual string ExtraRepr() => "";
}

/// <summary>
/// Training and evaluation mode, as extension methods so that they return the module's own type:
/// <c>var model = new Sequential(…).Eval();</c> is still a <see cref="Sequential"/>.
/// </summary>
public static class ModuleModes
{
    /// <summary>Sets training mode (<paramref name="training"/> true: dropout active, batch norm on batch statistics) on the module
    /// and every descendant, and returns it.</summary>
    public static TModule Train<TModule>(this TModule module, bool training = true) where TModule : Module
    {
        module.SetTraining(training);
        return module;
    }

    /// <summary>Evaluation mode (<c>Train(false)</c>), returning the module.</summary>
    public static TModule Eval<TModule>(this TModule module) where TModule : Module => module.Train(false);
}
