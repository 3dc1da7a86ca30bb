using System.Collections.Concurrent;
using Descent.Data;
using Descent.Storage;
using Descent.Training;

namespace Descent.Server.Api;

/// <summary>
/// A classifier run's test-set evaluation from its last checkpoint: accuracy, per-class accuracy and the confusion
/// matrix (rows: true class, columns: predicted), as <c>descent evaluate</c> computes them. Kept per checkpoint and
/// file time, so a page that asks again costs nothing until the run saves a new checkpoint.
/// </summary>
internal static class RunEvaluation
{
    /// <summary>What the run page draws.</summary>
    public sealed record Result(string Checkpoint, int Examples, double Accuracy, double Loss, IReadOnlyList<string> Classes,
        double[] PerClass, int[][] Confusion);

    private static readonly ConcurrentDictionary<string, (DateTime Written, Result Result)> Cache = new();

    public static async Task<Result> For(RunRecord run, CancellationToken cancel)
    {
        string dir = run.CheckpointPath ?? throw new NotFoundException($"run {run.Id} has no checkpoint yet (it saves one at the end of each epoch).");
        string weights = Path.Combine(dir, "model.safetensors");
        if (!Directory.Exists(dir)) throw new NotFoundException($"run {run.Id}'s checkpoint folder '{dir}' is gone.");
        var written = Directory.GetLastWriteTimeUtc(dir);
        if (File.Exists(weights)) written = File.GetLastWriteTimeUtc(weights);
        if (Cache.TryGetValue(dir, out var hit) && hit.Written == written) return hit.Result;
        var result = await Task.Run(() => Evaluate(run.Id, dir), cancel);
        Cache[dir] = (written, result);
        return result;
    }

    private static Result Evaluate(long runId, string dir)
    {
        TrainedModel model;
        try { model = TrainedModel.Load(dir); }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            throw new NotFoundException($"run {runId}'s checkpoint '{dir}' cannot be read: {e.Message}");
        }
        if (model.IsRegression) throw new BadRequestException($"run {runId} is a regression (targets {string.Join(", ", model.TargetNames)}): it has no classes to confuse.");
        var test = DatasetSpec.Load(model.Config.Data, model.Config.Seed, model.Config.Target).Test;
        if (test.FeatureCount != model.FeatureCount || !test.ClassNames.SequenceEqual(model.ClassNames))
            throw new BadRequestException($"run {runId}'s data set '{model.Config.Data}' changed since training: the model takes {model.FeatureCount} features and {model.ClassNames.Count} classes.");
        var features = (float[])test.Features.Clone();   // [n, d]
        model.Normalizer?.Apply(features, test.FeatureCount);
        var loss = TrainingJob.LossFor(model.Config, test).Create();
        var x = Tensor.Wrap(features, test.Count, test.FeatureCount);
        var ev = Evaluator.Evaluate(model.Model, x, test.Labels, null, loss, classes: model.ClassNames.Count);
        int k = model.ClassNames.Count;
        var confusion = Enumerable.Range(0, k).Select(i => Enumerable.Range(0, k).Select(j => ev.Confusion[i, j]).ToArray()).ToArray();
        return new Result(dir, test.Count, ev.Accuracy, ev.Loss, model.ClassNames, ev.PerClassAccuracy(), confusion);
    }
}
