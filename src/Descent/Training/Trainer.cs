using Descent.Kernels;
using System.Diagnostics;
using Descent.Data;
using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Regularization;
using Descent.Schedules;

namespace Descent.Training;

/// <summary>
/// The mini-batch training loop: for each epoch, for each batch — forward, loss, backward, clip, step —
/// with metrics per step and per epoch, validation, early stopping, learning-rate schedules per step or per
/// epoch (and reduce-on-plateau on the validation loss), and a clear stop on a NaN or infinite loss.
/// It writes nothing: it reports through events.
/// </summary>
/// <remarks>
/// One path computes every step, for every model and loss: the eager autograd step (forward, loss, backward), captured
/// once per batch shape and replayed after that (<see cref="CapturedStep"/>): the same kernels on the same buffers, no
/// graph, no allocation — and bitwise the numbers the eager step gives. It is deterministic: given the same model,
/// optimizer, data order and <see cref="State"/> a run produces bitwise the same weights, whatever the number of threads.
/// </remarks>
public sealed class Trainer
{
    private readonly Module _model;
    private readonly IOptimizer _optimizer;
    private readonly LearningRatePolicy _policy;
    private readonly ILoss _loss;
    private Tensor? _lastOutput;                 // the model's output of the last step, for the regression metrics // [batch, k]
    private RegressionAccumulator? _trainErrors; // regression errors of the current epoch's batches
    private IReadOnlyList<Tensor> _parameters;
    private readonly Penalty? _penalty;
    private Dictionary<string, Tensor>? _bestWeights;
    private readonly CapturedStep _step;
    private readonly CapturedStep _evaluation;                 // the model's forward pass in evaluation mode, one tape per batch shape
    private readonly Func<Tensor, Tensor> _evaluate;
    private readonly Tensor[] _oneInput = new Tensor[1], _twoInputs = new Tensor[2];   // [batch] or [batch, targets]
    private IReadOnlyList<Tensor> _captured;      // the parameters the tapes were recorded with
    private int[] _capturedVersions;               // their storage versions then (Module.To converts in place)
    private IStepObserver? _capturingObserver;    // the observer whose forward the step records (its first batch size only)
    private int _observedBatch;
    private WeightAverage? _average;            // the moving average of the weights (Options.Ema > 0), else null
    private readonly Optimizer? _normInStep;   // the optimizer, when it updates exactly the model's parameters (so it can measure their norm)
    private bool _stopRequested;

    /// <param name="model">The model; its parameters are those the optimizer updates.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="policy">Learning rate per step/epoch (null: the optimizer's rate, constant).</param>
    /// <param name="options">Settings.</param>
    /// <param name="penalty">An L1/L2 penalty on the weights (not biases) added to the loss, or null.</param>
    /// <param name="loss">The loss (null: cross-entropy); a value loss (mse, half-sse, bce) trains on the batches' <see cref="Batch.Targets"/>.</param>
    public Trainer(Module model, IOptimizer optimizer, LearningRatePolicy? policy = null, TrainerOptions? options = null,
        Penalty? penalty = null, ILoss? loss = null)
    {
        _model = model;
        _optimizer = optimizer;
        _policy = policy ?? new LearningRatePolicy(optimizer.LearningRate);
        _loss = loss ?? new CrossEntropyLoss();
        _parameters = model.Parameters;
        _penalty = penalty is { Lambda: > 0 } ? penalty : null;
        if (optimizer is Optimizer o && o.Parameters.Count == _parameters.Count
            && o.Parameters.ToHashSet(ReferenceEqualityComparer.Instance).SetEquals(_parameters)) _normInStep = o;
        Options = options ?? new TrainerOptions();
        Options.Validate();
        _step = new CapturedStep(StepBody);
        _evaluation = new CapturedStep((inputs, _, _) =>
        {
            using (Autograd.NoGrad()) return [_model.Forward(inputs[0])];
        }, _step.Arena);   // evaluation never runs during a step: its scratch shares the step's arena
        _evaluate = x => _evaluation.Run([x], [], mode: 2)[0];
        _captured = _parameters;
        _capturedVersions = _parameters.Select(p => p.StorageVersion).ToArray();
        _average = Options.Ema > 0 ? new WeightAverage(model, Options.Ema) : null;
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The loss.</summary>
    public ILoss Loss => _loss;

    /// <summary>Progress so far; set it (from a checkpoint) before <see cref="Fit"/> to resume.</summary>
    public TrainerState State { get; set; } = new();

    /// <summary>
    /// The exponential moving average of the weights when <see cref="TrainerOptions.Ema"/> is set (part of a checkpoint),
    /// else null. Validation after each epoch evaluates it, and <see cref="Fit"/> ends by writing it over the model's weights.
    /// </summary>
    internal WeightAverage? Average => _average;

    /// <summary>The learning-rate policy (its plateau state is part of a checkpoint).</summary>
    public LearningRatePolicy Policy => _policy;

    /// <summary>How steps run: "captured and replayed" (the default) or "eager" (see <see cref="Capture"/>).</summary>
    public string StepPath => Capture ? "captured and replayed (no graph, no allocation)" : "eager autograd";

    /// <summary>
    /// True (the default): each batch shape's step is recorded once and replayed. False: every step runs the eager graph
    /// (the same ops and kernels; a debugging switch, and what tests compare the replayed step with, bit for bit).
    /// </summary>
    public bool Capture { get; set; } = true;

    /// <summary>The captured steps (one tape per batch shape): how many were recorded, and the last one's computations.</summary>
    public CapturedStep CapturedStep => _step;

    /// <summary>Times the phases of every step while set (see <see cref="StepProfile"/>); null: no profiling.</summary>
    public StepProfile? Profile
    {
        get => _profile;
        set { _profile = value; _step.Timer = value; }
    }

    private StepProfile? _profile;

    /// <summary>
    /// Watches chosen steps from inside (e.g. <c>descent train --diagnose</c>): its forward pass is the one the step records,
    /// so the observed steps are the replayed steps themselves.
    /// </summary>
    public IStepObserver? Observer { get; set; }

    /// <summary>
    /// Data-parallel training: combines the ranks' gradients after backward, before clipping and the optimizer step
    /// (null: one process). The loader then gives this rank's shard of each batch (<see cref="Batch.GlobalCount"/>).
    /// </summary>
    public IGradientReducer? GradientReducer { get; set; }

    /// <summary>Raised every <see cref="TrainerOptions.ReportEvery"/> steps and at the end of each epoch.</summary>
    public event Action<StepMetrics>? StepReported;

    /// <summary>Raised after each epoch, once <see cref="State"/> is updated (the place to save a checkpoint or a run record).</summary>
    public event Action<EpochMetrics>? EpochCompleted;

    /// <summary>Asks the loop to stop after the current epoch (e.g. a pruner or Ctrl-C).</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>The weights of the best epoch so far (with early stopping that restores), or null.</summary>
    public IReadOnlyDictionary<string, Tensor>? BestWeights => _bestWeights;

    /// <summary>Restores best weights saved by a previous run (resume with early stopping).</summary>
    public void SetBestWeights(IReadOnlyDictionary<string, Tensor>? weights) =>
        _bestWeights = weights?.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());

    /// <summary>
    /// Trains from <see cref="State"/>.NextEpoch up to <see cref="TrainerOptions.Epochs"/>. With <see cref="TrainerOptions.Ema"/>
    /// validation evaluates the averaged weights, and the model ends with them (or with the best epoch's averaged weights
    /// under early stopping).
    /// </summary>
    /// <param name="train">The training batches (its seed fixes the order of every epoch).</param>
    /// <param name="validation">Validation set for early stopping, plateau and per-epoch figures, or null.</param>
    /// <param name="cancellation">Stops between steps; the state stays that of the last finished epoch.</param>
    public TrainingResult Fit(DataLoader train, Dataset? validation = null, CancellationToken cancellation = default)
    {
        var wall = Stopwatch.StartNew();
        using var threads = Threading.Limit(Options.Threads);
        var s = State;
        Tensor? vx = validation is null ? null : Tensor.Wrap(validation.Features, validation.Count, validation.FeatureCount);   // a view: evaluation only reads it
        for (int epoch = s.NextEpoch; epoch < Options.Epochs && !s.Stopped; epoch++)
        {
            var metrics = RunEpoch(train, epoch, cancellation);
            if (validation is not null)
            {
                _average?.Swap();   // the averaged model is the one evaluated (and kept as the best weights)
                try
                {
                    var ev = validation.IsRegression ? Evaluate(vx!, null, validation.TargetsTensor()) : Evaluate(vx!, validation.Labels);
                    metrics = metrics with { ValidationLoss = ev.Loss, ValidationAccuracy = ev.Accuracy,
                        ValidationRmse = ev.Regression?.Rmse ?? double.NaN, ValidationR2 = ev.Regression?.R2 ?? double.NaN };
                    UpdateEarlyStopping(epoch, ev.Loss);
                    _policy.ReportMetric(ev.Loss);
                }
                finally { _average?.Swap(); }
            }
            s.History.Add(metrics);
            s.NextEpoch = epoch + 1;
            EpochCompleted?.Invoke(metrics);
            if (_stopRequested) break;
        }
        int best = s.History.Count - 1;
        if (Options.EarlyStoppingPatience is not null && Options.RestoreBestWeights && _bestWeights is not null && s.BestEpoch >= 0)
        {
            _model.LoadStateDict(_bestWeights);
            best = s.BestEpoch;
        }
        else _average?.CopyToModel();   // Keras's use_ema: the model ends with the averaged weights
        return new TrainingResult(s.History.ToList(), s.Stopped, best, wall.Elapsed.TotalSeconds);
    }

    private EpochMetrics RunEpoch(DataLoader train, int epoch, CancellationToken cancellation)
    {
        var s = State;
        _model.Train();
        CheckParameters();
        var clock = Stopwatch.StartNew();
        double lossSum = 0, normSum = 0;
        long correct = 0, seen = 0;
        int stepInEpoch = 0, steps = train.BatchCount;
        bool regression = train.Data.IsRegression;
        if (regression) { _trainErrors ??= new RegressionAccumulator(train.Data.OutputCount); _trainErrors.Clear(); }
        _profile?.Begin();
        foreach (var batch in train.Batches(epoch))
        {
            _profile?.Mark("gather mini-batch");
            cancellation.ThrowIfCancellationRequested();
            var (lv, hits, norm, lr) = Step(batch.X, batch.Labels, epoch, batch.Targets, batch.GlobalCount);
            int n = batch.GlobalCount;
            if (regression) { _trainErrors!.Add(_lastOutput!, batch.Targets!); hits = 0; }
            if (_loss.Reduction == Reduction.Sum) lv /= n;   // a total over the batch: report it per example
            lossSum += lv * n; correct += hits; seen += n; normSum += norm;
            stepInEpoch++;
            if (StepReported is not null && (stepInEpoch % Options.ReportEvery == 0 || stepInEpoch == steps))
                StepReported(new StepMetrics(epoch, s.Step - 1, stepInEpoch - 1, steps, lv, regression ? double.NaN : (double)hits / n,
                    lr, norm, seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
            _profile?.End();
            _profile?.Begin();
        }
        double secs = clock.Elapsed.TotalSeconds;
        var errors = _trainErrors?.Result();
        return new EpochMetrics(epoch, lossSum / Math.Max(seen, 1), regression ? double.NaN : (double)correct / Math.Max(seen, 1), double.NaN, double.NaN,
            _optimizer.LearningRate, seen / Math.Max(secs, 1e-9), secs, normSum / Math.Max(stepInEpoch, 1))
        { TrainRmse = regression ? errors!.Rmse : double.NaN, TrainR2 = regression ? errors!.R2 : double.NaN };
    }

    /// <summary>
    /// One optimizer step on a batch: set the learning rate, forward, loss, backward, clip, update.
    /// Returns (loss, correct predictions, gradient norm before clipping, learning rate). A replayed step allocates nothing.
    /// </summary>
    internal (double Loss, int Correct, double Norm, double LearningRate) Step(Tensor x, int[] labels, int epoch, Tensor? targets = null, int globalRows = 0)
    {
        var s = State;
        double lr = _policy.Apply(_optimizer, s.Step, epoch);
        // Observed: a step the observer wants, of the batch size whose tape records through its forward pass.
        var observer = Observer is { } o && o.Wants(s.Step) && (_capturingObserver != o || x.Shape[0] == _observedBatch) ? o : null;
        var (lv, hits) = ForwardBackward(x, labels, targets, observer);
        if (GradientReducer is { } reducer)   // data-parallel: the global gradient, loss and hits, before anything reads them
        {
            int rows = x.Shape[0];
            (lv, hits) = reducer.Reduce(_parameters, _loss.Reduction == Reduction.Sum ? 1 : (double)rows / Math.Max(globalRows, rows), lv, hits);
            _profile?.Mark("allreduce");
        }
        if (!double.IsFinite(lv)) throw new DivergenceException(s.Step, epoch, lv, s.LastGoodLoss, lr);
        s.LastGoodLoss = lv;
        // The norm before clipping. Without clipping, an Optimizer measures it inside its update pass (no pass of its own).
        var fused = Options.ClipNorm is null && Options.ClipValue is null ? _normInStep : null;
        double norm = Options.ClipNorm is { } maxNorm ? GradientClipping.ClipGradNorm(_parameters, maxNorm)
            : fused is null ? GradientClipping.TotalNorm(_parameters) : double.NaN;
        if (Options.ClipValue is { } maxValue) GradientClipping.ClipGradValue(_parameters, maxValue);
        if (fused is null) _profile?.Mark(Options.ClipNorm is null && Options.ClipValue is null ? "gradient norm" : "gradient clipping");
        if (fused is not null) fused.MeasureGradientNorm = true;
        _optimizer.Step();
        if (fused is not null) norm = fused.GradientNorm;
        _profile?.Mark("optimizer step");
        if (_average is not null)
        {
            _average.Update(s.Step);
            _profile?.Mark("weight average");
        }
        observer?.AfterStep();
        s.Step++;
        return (lv, hits, norm, lr);
    }

    /// <summary>One forward and backward pass; gradients are left in the parameters. Returns (loss, correct predictions).</summary>
    private (double Loss, int Correct) ForwardBackward(Tensor x, int[] labels, Tensor? targets, IStepObserver? observer)
    {
        if (Observer is { } o && _capturingObserver != o)
        {
            // The observer's forward pass must be the recorded one: record again, observing batches of this size.
            _capturingObserver = o;
            _observedBatch = x.Shape[0];
            _step.Invalidate();
        }
        int mode = _capturingObserver is not null && x.Shape[0] == _observedBatch ? 1 : 0;
        var inputs = targets is null ? _oneInput : _twoInputs;              // reused: a step allocates nothing
        inputs[0] = x;
        if (targets is not null) inputs[1] = targets;
        var outputs = Capture ? _step.Run(inputs, labels, mode) : StepBody(inputs, labels, mode);
        double lv = outputs[0].Item();
        _lastOutput = outputs[1];
        if (observer is not null && double.IsFinite(lv)) observer.AfterBackward();
        int hits = _loss.IsClassification ? CountCorrect(outputs[1], labels) : 0;
        if (!Capture) _profile?.Mark("forward, loss, backward (eager)");
        else if (!_step.LastReplayed) _profile?.Discard();   // a step that recorded its tape is not a replayed step
        return (lv, hits);
    }

    /// <summary>
    /// The step that is recorded: zero the gradients, forward (through the observer when one watches this batch size),
    /// the loss (with the penalty), backward. Returns [loss, model output].
    /// </summary>
    private Tensor[] StepBody(Tensor[] inputs, int[] labels, int mode)
    {
        foreach (var p in _parameters) p.Grad = null;
        var x = inputs[0];
        var targets = new LossTargets(labels, inputs.Length > 1 ? inputs[1] : null);
        var (loss, output) = mode == 1 ? LossOf(_capturingObserver!.Forward(x), targets) : ModelLoss(x, targets);
        if (_penalty is not null) loss = _penalty.AddTo(loss, _model);
        loss.Backward();
        return [loss, output];
    }

    /// <summary>
    /// The loss of the model's output on x, and that output: the one place where the model's last layer and the loss run
    /// as one op. A <see cref="Sequential"/> ending in a <see cref="Linear"/> under a <see cref="CrossEntropyLoss"/> runs its
    /// other layers, then the Linear and the softmax cross-entropy together (<c>Ops.LinearCrossEntropy</c>, bitwise the
    /// separate ops' numbers); anything else runs the model, then the loss.
    /// </summary>
    private (Tensor Loss, Tensor Output) ModelLoss(Tensor x, LossTargets targets)
    {
        if (_model is Sequential { Head: { } head } model && _loss is CrossEntropyLoss ce)
        {
            var features = model.ForwardBody(x);
            if (features.Rank == 2) return (ce.OfLinear(features, head, targets.RequireLabels("cross-entropy"), out var logits), logits);
            return LossOf(head.Call(features), targets);
        }
        return LossOf(_model.Forward(x), targets);
    }

    private (Tensor Loss, Tensor Output) LossOf(Tensor output, LossTargets targets) => (_loss.Of(output, targets), output);

    /// <summary>Records the step again when the model's parameters are no longer the tensors the tapes were recorded with.</summary>
    private void CheckParameters()
    {
        var now = _model.Parameters;
        bool same = now.Count == _captured.Count;
        for (int i = 0; same && i < now.Count; i++) same = ReferenceEquals(now[i], _captured[i]) && now[i].StorageVersion == _capturedVersions[i];
        if (same) return;
        _parameters = _captured = now;
        _capturedVersions = now.Select(p => p.StorageVersion).ToArray();
        _step.Invalidate();
        _evaluation.Invalidate();
        if (_average is not null) _average = new WeightAverage(_model, _average.Decay);   // new tensors or element type: the average starts again from them
    }

    private void UpdateEarlyStopping(int epoch, double validationLoss)
    {
        var s = State;
        if (validationLoss < s.BestValidationLoss - Options.MinDelta)
        {
            s.BestValidationLoss = validationLoss;
            s.BestEpoch = epoch;
            s.EpochsWithoutImprovement = 0;
            if (Options.EarlyStoppingPatience is not null && Options.RestoreBestWeights)
                _bestWeights = _model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        }
        else
        {
            s.EpochsWithoutImprovement++;
            if (Options.EarlyStoppingPatience is { } p && s.EpochsWithoutImprovement >= p) s.Stopped = true;
        }
    }

    /// <summary>Loss, accuracy and confusion matrix on a whole set, in evaluation mode, without recording a graph.</summary>
    public Evaluation Evaluate(Tensor x, int[] labels, int classes = 0)
    {
        using var threads = Threading.Limit(Options.Threads);
        CheckParameters();
        return Evaluator.Evaluate(_model, x, labels, null, _loss, Options.EvaluationBatchSize, classes, Capture ? _evaluate : null);
    }

    /// <summary>Loss and RMSE, MAE, R² on a regression set (targets [n, k]), or as <see cref="Evaluate(Tensor, int[], int)"/> when <paramref name="targets"/> is null.</summary>
    public Evaluation Evaluate(Tensor x, int[]? labels, Tensor? targets, int classes = 0)
    {
        using var threads = Threading.Limit(Options.Threads);
        CheckParameters();
        return Evaluator.Evaluate(_model, x, targets is null ? labels : null, targets, _loss, Options.EvaluationBatchSize, classes, Capture ? _evaluate : null);
    }

    /// <summary>Rows of logits [batch, classes] whose arg max is the label (allocation-free).</summary>
    internal static int CountCorrect(Tensor logits, int[] labels)
    {
        if (logits.Rank != 2 || logits.Shape[0] != labels.Length) return 0;
        var k = KernelProvider.Current;
        int hits = 0, c = logits.Shape[1];
        for (int i = 0; i < labels.Length; i++)
        {
            int arg = logits.DType == DType.Float32 ? k.ArgMax<float>(logits.Floats.Slice(i * c, c)) : k.ArgMax<double>(logits.Doubles.Slice(i * c, c));
            if (arg == labels[i]) hits++;
        }
        return hits;
    }
}
