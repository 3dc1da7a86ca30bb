using Descent.Data;
using Descent.Nn;
using Descent.Optim;

namespace Descent.Lab;

/// <summary>One epoch of a lab training run.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double TestAccuracy);

/// <summary>
/// The small training loop the lab experiments share: mini-batches from a seeded <see cref="DataLoader"/>,
/// cross-entropy on the logits, backward, one optimizer step; after each epoch the mean training loss and the
/// accuracy on both sets (in eval mode). A non-finite loss ends the run early (the records say so by stopping).
/// </summary>
public static class LabTraining
{
    /// <summary>Trains <paramref name="model"/> and returns one record per epoch (epoch 0 = before training).</summary>
    public static List<EpochRecord> Train(Sequential model, DatasetPair data, string optimizer, int epochs, int batchSize, ulong seed,
        Action<int>? afterEpoch = null)
    {
        var opt = OptimizerSpec.Parse(optimizer).Create(model.Parameters());
        var loader = new DataLoader(data.Train, batchSize, shuffle: true, seed: seed);
        var records = new List<EpochRecord> { new(0, Loss(model, data.Train), Accuracy(model, data.Train), Accuracy(model, data.Test)) };
        afterEpoch?.Invoke(0);
        for (int e = 1; e <= epochs; e++)
        {
            model.Train();
            double sum = 0;
            int count = 0;
            foreach (var batch in loader.Batches(e - 1))
            {
                opt.ZeroGrad();
                var loss = model.Call(batch.X).CrossEntropy(batch.Labels);
                loss.Backward();
                opt.Step();
                sum += loss.Item() * batch.Count;
                count += batch.Count;
            }
            double mean = sum / count;
            records.Add(new EpochRecord(e, mean, Accuracy(model, data.Train), Accuracy(model, data.Test)));
            afterEpoch?.Invoke(e);
            if (!double.IsFinite(mean)) break;
        }
        return records;
    }

    /// <summary>Share of rows whose largest logit is the label (eval mode, no graph).</summary>
    public static double Accuracy(Module model, Dataset d)
    {
        var logits = Predict(model, d);
        int c = d.ClassCount, right = 0;
        for (int i = 0; i < d.Count; i++)
        {
            int best = 0;
            for (int j = 1; j < c; j++) if (logits[i * c + j] > logits[i * c + best]) best = j;
            if (best == d.Labels[i]) right++;
        }
        return right / (double)d.Count;
    }

    /// <summary>Mean cross-entropy over a whole set (eval mode, no graph).</summary>
    public static double Loss(Module model, Dataset d)
    {
        bool training = model.Training;
        model.Eval();
        using (Autograd.NoGrad())
        {
            double l = model.Call(d.FeaturesTensor()).CrossEntropy(d.Labels).Item();
            model.Train(training);
            return l;
        }
    }

    private static double[] Predict(Module model, Dataset d)
    {
        bool training = model.Training;
        model.Eval();
        using (Autograd.NoGrad())
        {
            var y = model.Call(d.FeaturesTensor()).ToArray();   // [n, classes]
            model.Train(training);
            return y;
        }
    }
}
