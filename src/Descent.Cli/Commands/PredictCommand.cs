using System.CommandLine;
using System.Globalization;
using Descent.Cli.Rendering;
using Descent.Data;
using Descent.Training;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent predict --checkpoint DIR --input FILE</c>: class, class name and probability for each example of an IDX
/// image file (pixels scaled by 1/255 as in training) or a CSV of features (header row). A label column, if named with <c>--label</c>, is left out of the features and scored
/// against: its labels are the model's class names, and a label the model does not know is an error naming its line. For a regression
/// checkpoint, the predicted target values (a CSV with the target column(s) is scored by RMSE and R²).
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint folder written by descent train (or --weights with --model)." };
        var (weights, modelSpec) = (EvaluateCommand.WeightsOption(), EvaluateCommand.ModelOption());
        var input = new Option<string>("--input") { Description = "IDX images (raw or .gz) or a CSV of features with a header row.", Required = true };
        var label = new Option<string?>("--label") { Description = "CSV only: a label column to leave out of the features (and to score against)." };
        var top = new Option<int>("--show") { Description = "Rows shown in the table (all are in --json).", DefaultValueFactory = _ => 20 };
        var cmd = new Command("predict", "Predict classes with a checkpoint, or PyTorch weights (--weights, --model), for examples in an IDX or CSV file.")
            { checkpoint, weights, modelSpec, input, label, top, json, seed };
        CliApp.SetAction(cmd, p =>
        {
            var path = p.GetValue(input)!;
            string? weightsPath = EvaluateCommand.CheckSource(p.GetValue(checkpoint), p.GetValue(weights), p.GetValue(modelSpec));
            var model = weightsPath is null ? EvaluateCommand.LoadModel(p.GetValue(checkpoint)!)
                : EvaluateCommand.FromWeights(weightsPath, p.GetValue(modelSpec)!, ExampleShape(path, p.GetValue(label)), null, null);
            if (model.IsRegression) return PredictValues(model, path, p.GetValue(label), p.GetValue(top), p.GetValue(json));
            var (features, rows, labels) = Read(path, model, p.GetValue(label));
            var probs = model.PredictProbabilities(features, rows);
            var pred = probs.ArgMax(1);
            var results = Enumerable.Range(0, rows).Select(i => new
            {
                index = i,
                @class = pred[i],
                name = model.ClassNames[pred[i]],
                probability = probs[i * probs.Shape[1] + pred[i]],
                label = labels?[i],
            }).ToList();
            double? accuracy = labels is null ? null : results.Count(r => r.@class == r.label) / (double)Math.Max(rows, 1);
            if (p.GetValue(json))
            {
                CliApp.WriteJson(new { input = path, rows, accuracy, predictions = results });
                return 0;
            }
            var inv = CultureInfo.InvariantCulture;
            var t = new Table().AddColumns("#", "class", "name", "probability");
            if (labels is not null) t.AddColumn("label");
            foreach (var r in results.Take(p.GetValue(top)))
            {
                var cells = new List<string> { r.index.ToString(inv), r.@class.ToString(inv), Markup.Escape(r.name), Numbers.Format(r.probability) };
                if (labels is not null) cells.Add(r.label == r.@class ? $"[green]{r.label}[/]" : $"[red]{r.label}[/]");
                t.AddRow(cells.ToArray());
            }
            CliApp.Console().Write(t);
            CliApp.Console().MarkupLine(Markup.Escape($"{rows} examples" + (accuracy is { } a ? $", accuracy {Numbers.Format(a)}" : "")));
            return 0;
        });
        return cmd;
    }

    /// <summary>A regression checkpoint: the predicted targets per row; with the target column(s) in the CSV, RMSE, MAE and R².</summary>
    private static int PredictValues(TrainedModel model, string path, string? targetColumn, int show, bool asJson)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--input: '{path}' does not exist.");
        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) throw new UserException($"--input {path}: a regression model reads a CSV of features.");
        var header = (File.ReadLines(path).FirstOrDefault() ?? "").Split(',').Select(h => h.Trim().Trim('"')).ToList();
        var targetNames = targetColumn?.Split(',', StringSplitOptions.TrimEntries) ?? model.TargetNames.Where(header.Contains).ToArray();
        Tensor? truth = null;
        float[] features;
        int rows;
        if (targetNames.Length > 0)
        {
            var data = Csv.LoadRegression(path, targetNames);
            if (data.FeatureCount != model.FeatureCount)
                throw new ShapeException($"{path}: rows have {data.FeatureCount} features besides {string.Join(", ", targetNames)}; the model takes {model.FeatureCount}.");
            (features, rows, truth) = (data.Features, data.Count, data.TargetsTensor());
        }
        else (features, rows, _) = ReadFeaturesCsv(path, model.FeatureCount);
        var output = model.Predict(features, rows);   // [rows, k]
        int k = output.Shape[1];
        RegressionMetrics? metrics = null;
        if (truth is not null && truth.Shape[1] == k)
        {
            var acc = new RegressionAccumulator(k);
            acc.Add(output, truth.To(output.DType));
            metrics = acc.Result();
        }
        var predictions = Enumerable.Range(0, rows).Select(i => new
        {
            index = i,
            prediction = Enumerable.Range(0, k).Select(j => output[i * k + j]).ToArray(),
            target = truth is null ? null : Enumerable.Range(0, k).Select(j => truth[i * k + j]).ToArray(),
        }).ToList();
        if (asJson)
        {
            CliApp.WriteJson(new { input = path, rows, targets = model.TargetNames, rmse = metrics?.Rmse, mae = metrics?.Mae, r2 = metrics?.R2, predictions });
            return 0;
        }
        var inv = CultureInfo.InvariantCulture;
        var t = new Table().AddColumn("#");
        foreach (var n in model.TargetNames) t.AddColumn(Markup.Escape("predicted " + n));
        if (truth is not null) foreach (var n in targetNames) t.AddColumn(Markup.Escape(n));
        foreach (var r in predictions.Take(show))
            t.AddRow([r.index.ToString(inv), .. r.prediction.Select(v => v.ToString("G5", inv)), .. (r.target ?? []).Select(v => v.ToString("G5", inv))]);
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine(Markup.Escape($"{rows} examples" + (metrics is { } m ? string.Create(inv, $", RMSE {m.Rmse:F4}, R² {m.R2:F4}, MAE {m.Mae:F4}") : "")));
        return 0;
    }

    private static (float[] Features, int Rows, int[]? Labels) Read(string path, TrainedModel model, string? labelColumn)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--input: '{path}' does not exist.");
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            if (labelColumn is null) return ReadFeaturesCsv(path, model.FeatureCount);
            var data = Csv.Load(path, labelColumn, classNames: model.ClassNames);   // labels numbered by the model's classes
            if (data.FeatureCount != model.FeatureCount)
                throw new ShapeException($"{path}: rows have {data.FeatureCount} features; the model takes {model.FeatureCount}.");
            return (data.Features, data.Count, data.Labels);
        }
        if (labelColumn is not null)
            throw new UserException($"--label names a CSV column, but '{path}' is not a .csv file; leave --label out for IDX images.");
        var idx = Idx.Read(path);
        int[] example = idx.Dimensions.Skip(1).ToArray();
        if (!SameShape(example, model.FeatureShape))
            throw new ShapeException($"{path}: the examples are {Shape.Format(example)} ({idx.Dimensions[0]} of them); the model takes {Shape.Format(model.FeatureShape)}. Give examples of the size it was trained on.");
        return (idx.ToFloats(255f), idx.Dimensions[0], null);
    }

    /// <summary>
    /// The shape of one example of an input file, for weights without a checkpoint: a CSV's columns (less the label
    /// column), an IDX file's dimensions after the first (the count).
    /// </summary>
    private static int[] ExampleShape(string path, string? labelColumn)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--input: '{path}' does not exist.");
        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return Idx.Read(path).Dimensions.Skip(1).ToArray();
        var header = (File.ReadLines(path).FirstOrDefault() ?? "").Split(',').Select(h => h.Trim().Trim('"')).ToList();
        if (labelColumn is not null && !header.Contains(labelColumn))
            throw new UserException($"--label {labelColumn}: '{path}' has no such column; its header is {string.Join(",", header)}.");
        int features = header.Count - (labelColumn is null ? 0 : 1);
        return features >= 1 ? [features] : throw new InvalidDataException($"{path}:1: no feature columns in the header.");
    }

    /// <summary>Whether two example shapes agree, leading 1s aside ([28, 28] is [1, 28, 28]).</summary>
    private static bool SameShape(int[] a, int[] b) => a.SkipWhile(d => d == 1).SequenceEqual(b.SkipWhile(d => d == 1));

    /// <summary>A CSV of features only: a header row, then rows of numbers.</summary>
    private static (float[] Features, int Rows, int[]? Labels) ReadFeaturesCsv(string path, int features)
    {
        var values = new List<float>();
        int rows = 0, lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (lineNo == 1 || string.IsNullOrWhiteSpace(line)) continue;
            var cells = line.Split(',');
            if (cells.Length != features)
                throw new InvalidDataException($"{path}:{lineNo}: {cells.Length} values; the model takes {features} features per row.");
            for (int j = 0; j < cells.Length; j++)
            {
                if (!float.TryParse(cells[j].Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw new InvalidDataException($"{path}:{lineNo}: column {j + 1}: '{cells[j]}' is not a number.");
                values.Add(v);
            }
            rows++;
        }
        return (values.ToArray(), rows, null);
    }
}
