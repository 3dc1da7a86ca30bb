using Descent.Data;
using Descent.Nn;
using Descent.Optim;
using Descent.Training;

namespace Descent.Lab;

/// <summary>One epoch of a lab training run.</summary>
internal sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double TestAccuracy);

/// <summary>
/// How the lab experiments train: the library's <see cref="Trainer"/> on a seeded <see cref="DataLoader"/>,
/// with one record per epoch — the mean training loss and the accuracy on both sets (in eval mode), and an
/// epoch-0 record before any step. A non-finite loss ends the run early (the records stop there, as the
/// experiment wants to show divergence rather than fail).
/// </summary>
internal static class LabTraining
{
    /// <summary>Trains <paramref name="model"/> and returns one record per epoch (epoch 0 = before training).</summary>
    public static List<EpochRecord> Train(Sequential model, DatasetPair data, string optimizer, int epochs, int batchSize, ulong seed,
        Action<int>? afterEpoch = null)
    {
        var opt = OptimizerSpec.Parse(optimizer).Create(model.Parameters);
        var loader = new DataLoader(data.Train, batchSize, shuffle: true, seed: seed);
        var records = new List<EpochRecord> { new(0, Loss(model, data.Train), Accuracy(model, data.Train), Accuracy(model, data.Test)) };
        afterEpoch?.Invoke(0);
        var trainer = new Trainer(model, opt, options: new TrainerOptions { Epochs = epochs });
        trainer.EpochCompleted += e =>
        {
            records.Add(new EpochRecord(e.Epoch + 1, e.TrainLoss, Accuracy(model, data.Train), Accuracy(model, data.Test)));
            afterEpoch?.Invoke(e.Epoch + 1);
        };
        try
        {
            trainer.Fit(loader);
        }
        catch (DivergenceException d)
        {
            records.Add(new EpochRecord(d.Epoch + 1, double.NaN, Accuracy(model, data.Train), Accuracy(model, data.Test)));
        }
        return records;
    }

    /// <summary>Share of rows whose largest logit is the label (eval mode, no graph).</summary>
    public static double Accuracy(Module model, Dataset d) => Evaluator.Evaluate(model, d.FeaturesTensor(), d.Labels).Accuracy;

    /// <summary>Mean cross-entropy over a whole set (eval mode, no graph).</summary>
    public static double Loss(Module model, Dataset d) => Evaluator.Evaluate(model, d.FeaturesTensor(), d.Labels).Loss;
}
