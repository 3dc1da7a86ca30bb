using System.CommandLine;
using System.Globalization;
using Descent.Data;
using Descent.Cli.Rendering;
using Descent.Losses;
using Descent.Nn;
using Descent.Training;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent evaluate --checkpoint DIR</c>: test accuracy, per-class accuracy and the confusion matrix of a trained classifier, or
/// RMSE, MAE and R² of a regression; the model is rebuilt from the text form saved in the checkpoint.
/// Only the weights and <c>state.json</c> are read (not the optimizer's state); the test split is rebuilt from the
/// saved data set and seed and normalized with the statistics saved at training time.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint folder written by descent train (or --weights with --model)." };
        var (weights, modelSpec) = (WeightsOption(), ModelOption());
        var data = new Option<string?>("--data") { Description = "With --weights: the data set whose test split is scored, as descent train's --data (no normalization is applied)." };
        var target = new Option<string?>("--target") { Description = "With --weights: the regression target column(s) of a CSV --data." };
        var cmd = new Command("evaluate", "Evaluate a checkpoint, or PyTorch weights (--weights, --model, --data), on a test split: accuracy, per-class accuracy, confusion matrix.")
            { checkpoint, weights, modelSpec, data, target, json, seed };
        CliApp.SetAction(cmd, p =>
        {
            TrainedModel model;
            Dataset test;
            string? dir = p.GetValue(checkpoint), weightsPath = CheckSource(dir, p.GetValue(weights), p.GetValue(modelSpec));
            if (weightsPath is not null)
            {
                string dataText = p.GetValue(data) ?? throw new UserException("--weights needs --data: the data set whose test split is scored, e.g. --data fashion-mnist.");
                test = DatasetSpec.Load(dataText, p.GetValue(seed), p.GetValue(target)).Test;
                model = FromWeights(weightsPath, p.GetValue(modelSpec)!, test.FeatureShape, test.IsRegression ? null : test.ClassNames, test.TargetNames, dataText, p.GetValue(seed));
                dir = weightsPath;
            }
            else
            {
                if (p.GetValue(data) is not null || p.GetValue(target) is not null)
                    throw new UserException("--data and --target go with --weights; a checkpoint is scored on the data set it was trained on.");
                model = LoadModel(dir!);
                test = DatasetSpec.Load(model.Config.Data, model.Config.Seed, model.Config.Target).Test;
            }
            if (test.FeatureCount != model.FeatureCount || !test.ClassNames.SequenceEqual(model.ClassNames) || !test.TargetNames.SequenceEqual(model.TargetNames))
                throw new UserException($"{dir}: the model takes {model.FeatureCount} features and {(model.IsRegression ? $"targets [{string.Join(", ", model.TargetNames)}]" : $"classes [{string.Join(", ", model.ClassNames)}]")}, but its data set '{model.Config.Data}' now has {test.FeatureCount} features and {(model.IsRegression ? $"targets [{string.Join(", ", test.TargetNames)}]" : $"classes [{string.Join(", ", test.ClassNames)}]")}; the data changed since training.");
            var features = (float[])test.Features.Clone();   // [n, d]
            model.Normalizer?.Apply(features, test.FeatureCount);
            var lossSpec = TrainingJob.LossFor(model.Config, test);
            var loss = lossSpec.Create();
            var x = Tensor.Wrap(features, test.Count, test.FeatureCount);
            var inv = CultureInfo.InvariantCulture;
            if (model.IsRegression)
            {
                var evr = Evaluator.Evaluate(model.Model, x, null, test.TargetsTensor(), loss);
                var reg = evr.Regression!;
                if (p.GetValue(json))
                    CliApp.WriteJson(new { checkpoint = weightsPath is null ? dir : null, weights = weightsPath, data = model.Config.Data, model = model.Config.Model.ToString(), loss = lossSpec.ToString(),
                        targets = test.TargetNames, test_loss = evr.Loss, test_rmse = reg.Rmse, test_mae = reg.Mae, test_r2 = reg.R2 });
                else
                    CliApp.Console().MarkupLine(Markup.Escape(
                        $"{model.Config.Data} test set ({test.Count} examples, target {string.Join(", ", test.TargetNames)}): RMSE {Numbers.Format(reg.Rmse)}, R² {Numbers.Format(reg.R2)}, MAE {Numbers.Format(reg.Mae)}, {loss} loss {Numbers.Format(evr.Loss)} · model {model.Config.Model}"));
                return 0;
            }
            var ev = Evaluator.Evaluate(model.Model, x, test.Labels, null, loss, classes: model.ClassNames.Count);
            var names = model.ClassNames;
            var perClass = ev.PerClassAccuracy();
            if (p.GetValue(json))
            {
                CliApp.WriteJson(new
                {
                    checkpoint = weightsPath is null ? dir : null,
                    weights = weightsPath,
                    data = model.Config.Data,
                    model = model.Config.Model.ToString(),
                    loss = lossSpec.ToString(),
                    test_loss = ev.Loss,
                    test_accuracy = ev.Accuracy,
                    per_class = names.Select((n, i) => new { @class = n, accuracy = perClass[i] }),
                    confusion = Enumerable.Range(0, names.Count).Select(i => Enumerable.Range(0, names.Count).Select(j => ev.Confusion[i, j])),
                });
                return 0;
            }
            CliApp.Console().MarkupLine(Markup.Escape($"model {model.Config.Model} · {model.Config.Data} test set: accuracy {Numbers.Format(ev.Accuracy)}, loss {Numbers.Format(ev.Loss)} ({test.Count} examples)"));
            var cm = new Table().Title("confusion matrix (rows: true class, columns: predicted)").AddColumn("true \\ predicted");
            for (int j = 0; j < names.Count; j++) cm.AddColumn(new TableColumn(j.ToString(inv)).RightAligned());
            cm.AddColumn(new TableColumn("accuracy").RightAligned());
            for (int i = 0; i < names.Count; i++)
            {
                var row = new List<string> { i.ToString(inv) };
                for (int j = 0; j < names.Count; j++) row.Add(i == j ? $"[green]{ev.Confusion[i, j]}[/]" : ev.Confusion[i, j].ToString(inv));
                row.Add(Numbers.Format(perClass[i]));
                cm.AddRow(row.ToArray());
            }
            CliApp.Console().Write(cm);
            CliApp.Console().MarkupLine(Markup.Escape("classes: " + string.Join(", ", names.Select((n, i) => $"{i} {n}"))));
            return 0;
        });
        return cmd;
    }

    /// <summary><c>--weights</c>: a PyTorch state dict in safetensors form, instead of a checkpoint.</summary>
    internal static Option<string?> WeightsOption() => new("--weights")
    {
        Description = "A PyTorch state dict saved as safetensors (safetensors.torch.save_file), float32 or float64, instead of --checkpoint; needs --model.",
    };

    /// <summary><c>--model</c>: the network the <c>--weights</c> belong to, in Descent's text form.</summary>
    internal static Option<string?> ModelOption() => new("--model")
    {
        Description = "With --weights: the network as in descent train --model (mlp:256,128, cnn, a layer list); its layers take PyTorch's state-dict names (0.weight, 1.running_mean, …).",
    };

    /// <summary>Checks that exactly one of a checkpoint and weights (with a model) is given; returns the weights' path or null.</summary>
    internal static string? CheckSource(string? checkpoint, string? weights, string? model)
    {
        if (checkpoint is not null && weights is not null) throw new UserException("give --checkpoint DIR or --weights FILE with --model SPEC, not both.");
        if (checkpoint is null && weights is null) throw new UserException("give --checkpoint DIR (written by descent train) or --weights FILE with --model SPEC (a PyTorch state dict).");
        if (weights is null && model is not null) throw new UserException("--model goes with --weights; a checkpoint knows its model.");
        if (weights is not null && model is null) throw new UserException("--weights needs --model: the network the weights belong to, e.g. --model mlp:256,128.");
        return weights;
    }

    /// <summary>PyTorch weights for <paramref name="model"/> (text form) on examples of <paramref name="featureShape"/>; non-finite weights are refused.</summary>
    internal static TrainedModel FromWeights(string weights, string model, int[] featureShape, IReadOnlyList<string>? classNames, IReadOnlyList<string>? targetNames,
        string data = "", ulong seed = 0)
    {
        var spec = ModelSpec.Parse(model);
        if (!File.Exists(weights)) throw new FileNotFoundException($"--weights: '{weights}' does not exist.");
        return Finite(TrainedModel.FromWeights(weights, spec, featureShape, classNames, targetNames, data, seed), weights);
    }

    /// <summary>
    /// The model of a checkpoint, for evaluate and predict; weights that are not finite (a run that diverged) are refused,
    /// since every score computed from them would be NaN.
    /// </summary>
    internal static TrainedModel LoadModel(string dir) => Finite(TrainedModel.Load(dir), dir);

    private static TrainedModel Finite(TrainedModel model, string dir)
    {
        foreach (var (name, w) in model.Model.NamedParameters())
        {
            int bad = w.ToArray().Count(v => !double.IsFinite(v));
            if (bad > 0)
                throw new UserException($"{dir}: weight '{name}' holds {bad} NaN or infinite value{(bad == 1 ? "" : "s")} (the run diverged); use a checkpoint saved before it, or train again with a smaller --lr.");
        }
        return model;
    }
}
