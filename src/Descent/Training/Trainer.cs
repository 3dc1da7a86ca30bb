using System.Diagnostics;
using Descent.Nn;
using Descent.Optim;
using Descent.Schedules;

namespace Descent.Training;

/// <summary>
/// The mini-batch training loop: for each epoch, for each batch — forward, loss, backward, clip, step —
/// with metrics per step and per epoch, validation, early stopping, schedules per step or per epoch,
/// and a clear stop on a NaN or infinite loss. It writes nothing: it reports through events.
/// </summary>
/// <remarks>
/// Reproducible: given the same model, optimizer, data order and state it produces bitwise the same
/// weights; <see cref="State"/> with the model and optimizer state dicts is all a resume needs.
/// </remarks>
public sealed class Trainer
{
    private readonly Module _model;
    private readonly IOptimizer _optimizer;
    private readonly ISchedule? _schedule;
    private readonly double _baseRate;
    private readonly Func<Tensor, int[], Tensor> _loss;
    private readonly IReadOnlyList<Tensor> _parameters;
    private Dictionary<string, Tensor>? _bestWeights;
    private bool _stopRequested;

    /// <param name="model">The model; its parameters are those the optimizer updates.</param>
    /// <param name="optimizer">The optimizer; its <see cref="IOptimizer.LearningRate"/> at construction is the base rate α₀.</param>
    /// <param name="loss">Loss of logits [batch, classes] against labels (default: cross-entropy, mean over the batch).</param>
    /// <param name="schedule">Learning-rate schedule (null: constant α₀).</param>
    /// <param name="options">Settings.</param>
    public Trainer(Module model, IOptimizer optimizer, Func<Tensor, int[], Tensor>? loss = null, ISchedule? schedule = null, TrainerOptions? options = null)
    {
        _model = model;
        _optimizer = optimizer;
        _schedule = schedule;
        _baseRate = optimizer.LearningRate;
        _loss = loss ?? DefaultLoss;
        _parameters = model.Parameters();
        Options = options ?? new TrainerOptions();
        Options.Validate();
    }

    /// <summary>Cross-entropy on logits, mean over the batch: −(1/B) Σᵢ log softmax(zᵢ)[yᵢ].</summary>
    public static Tensor DefaultLoss(Tensor logits, int[] labels) => logits.LogSoftmax(1).Pick(labels).Mean().Neg();

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Progress so far; set it (from a checkpoint) before <see cref="Fit"/> to resume.</summary>
    public TrainerState State { get; set; } = new();

    /// <summary>An added term of the loss, e.g. an L1/L2 penalty on chosen parameters (recorded, so it is differentiated).</summary>
    public Func<Tensor>? Penalty { get; set; }

    /// <summary>Raised every <see cref="TrainerOptions.ReportEvery"/> steps and at the end of each epoch.</summary>
    public event Action<StepMetrics>? StepReported;

    /// <summary>Raised after each epoch, once <see cref="State"/> is updated (the place to save a checkpoint or a run record).</summary>
    public event Action<EpochMetrics>? EpochCompleted;

    /// <summary>Asks the loop to stop after the current epoch (e.g. a pruner or Ctrl-C).</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>The weights of the best epoch so far (with early stopping), or null.</summary>
    public IReadOnlyDictionary<string, Tensor>? BestWeights => _bestWeights;

    /// <summary>Restores best weights saved by a previous run (resume with early stopping).</summary>
    public void SetBestWeights(IReadOnlyDictionary<string, Tensor>? weights) =>
        _bestWeights = weights?.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());

    /// <summary>Trains from <see cref="State"/>.NextEpoch up to <see cref="TrainerOptions.Epochs"/>.</summary>
    /// <param name="train">The training batches.</param>
    /// <param name="validation">Validation features [n, d] and labels (for early stopping and per-epoch figures), or null.</param>
    /// <param name="cancellation">Stops between steps; the state stays that of the last finished epoch.</param>
    public TrainingResult Fit(IBatchSource train, (Tensor X, int[] Labels)? validation = null, CancellationToken cancellation = default)
    {
        var wall = Stopwatch.StartNew();
        var s = State;
        for (int epoch = s.NextEpoch; epoch < Options.Epochs && !s.Stopped; epoch++)
        {
            var metrics = RunEpoch(train, epoch, cancellation);
            if (validation is { } v)
            {
                var ev = Evaluate(v.X, v.Labels);
                metrics = metrics with { ValidationLoss = ev.Loss, ValidationAccuracy = ev.Accuracy };
                UpdateEarlyStopping(epoch, ev.Loss);
            }
            s.History.Add(metrics);
            s.NextEpoch = epoch + 1;
            if (_stopRequested) s.Stopped = true;
            EpochCompleted?.Invoke(metrics);
        }
        int best = s.History.Count - 1;
        if (Options.EarlyStoppingPatience is not null && Options.RestoreBestWeights && _bestWeights is not null && s.BestEpoch >= 0)
        {
            _model.LoadStateDict(_bestWeights);
            best = s.BestEpoch;
        }
        return new TrainingResult(s.History.ToList(), s.Stopped && !_stopRequested, best, wall.Elapsed.TotalSeconds);
    }

    private EpochMetrics RunEpoch(IBatchSource train, int epoch, CancellationToken cancellation)
    {
        var s = State;
        _model.Train();
        if (_schedule is { PerStep: false }) _optimizer.LearningRate = _schedule.LearningRate(_baseRate, epoch);
        var clock = Stopwatch.StartNew();
        double lossSum = 0, normSum = 0;
        long correct = 0, seen = 0;
        int stepInEpoch = 0, steps = train.BatchesPerEpoch;
        foreach (var (x, labels) in train.Epoch(epoch))
        {
            cancellation.ThrowIfCancellationRequested();
            if (_schedule is { PerStep: true }) _optimizer.LearningRate = _schedule.LearningRate(_baseRate, s.Step);
            _optimizer.ZeroGrad();
            var logits = _model.Forward(x);
            var loss = _loss(logits, labels);
            if (Penalty is not null) loss = loss.Add(Penalty());
            double lv = loss.Item();
            if (!double.IsFinite(lv)) throw new DivergenceException(s.Step, epoch, lv, s.LastGoodLoss, _optimizer.LearningRate);
            s.LastGoodLoss = lv;
            loss.Backward();
            double norm = GradientClipping.Apply(_parameters, Options.ClipNorm, Options.ClipValue);
            _optimizer.Step();

            int batch = labels.Length;
            int hits = CountCorrect(logits, labels);
            lossSum += lv * batch; correct += hits; seen += batch; normSum += norm;
            s.Step++;
            stepInEpoch++;
            if (StepReported is not null && (stepInEpoch % Options.ReportEvery == 0 || stepInEpoch == steps))
                StepReported(new StepMetrics(epoch, s.Step - 1, stepInEpoch - 1, steps, lv, (double)hits / batch,
                    _optimizer.LearningRate, norm, seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
        }
        double secs = clock.Elapsed.TotalSeconds;
        return new EpochMetrics(epoch, lossSum / Math.Max(seen, 1), (double)correct / Math.Max(seen, 1), double.NaN, double.NaN,
            _optimizer.LearningRate, seen / Math.Max(secs, 1e-9), secs, normSum / Math.Max(stepInEpoch, 1));
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
    public Evaluation Evaluate(Tensor x, int[] labels, int classes = 0) =>
        Evaluator.Evaluate(_model, x, labels, _loss, Options.EvaluationBatchSize, classes);

    internal static int CountCorrect(Tensor logits, int[] labels)
    {
        var pred = logits.ArgMax(1);
        int hits = 0;
        for (int i = 0; i < labels.Length; i++) if (pred[i] == labels[i]) hits++;
        return hits;
    }
}
