using System.CommandLine;
using System.Globalization;
using Descent.Training;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent evaluate --checkpoint DIR</c>: test accuracy, per-class accuracy and the confusion matrix of a trained classifier, or
/// RMSE, MAE and R² of a regression; the model is rebuilt from the text form saved in the checkpoint.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder written by descent train.", Required = true };
        var cmd = new Command("evaluate", "Evaluate a checkpoint on its data set's test split: accuracy, per-class accuracy, confusion matrix.") { checkpoint, json, seed };
        CliApp.SetAction(cmd, p =>
        {
            var dir = p.GetValue(checkpoint)!;
            var job = TrainingJob.Resume(dir);
            var ev = job.EvaluateTest();
            var inv = CultureInfo.InvariantCulture;
            if (ev.Regression is { } reg)
            {
                if (p.GetValue(json))
                    CliApp.WriteJson(new { checkpoint = dir, data = job.Config.Data, model = job.Config.Model.ToString(), loss = job.Loss.ToString(),
                        targets = job.Test.TargetNames, test_loss = ev.Loss, test_rmse = reg.Rmse, test_mae = reg.Mae, test_r2 = reg.R2 });
                else
                    AnsiConsole.MarkupLine(Markup.Escape(string.Create(inv,
                        $"{job.Config.Data} test set ({job.Test.Count} examples, target {string.Join(", ", job.Test.TargetNames)}): RMSE {reg.Rmse:F4}, R² {reg.R2:F4}, MAE {reg.Mae:F4}, {job.Loss} loss {ev.Loss:F4} · model {job.Config.Model}")));
                return 0;
            }
            var names = job.Test.ClassNames;
            var perClass = ev.PerClassAccuracy();
            if (p.GetValue(json))
            {
                CliApp.WriteJson(new
                {
                    checkpoint = dir,
                    data = job.Config.Data,
                    model = job.Config.Model.ToString(),
                    loss = job.Loss.ToString(),
                    test_loss = ev.Loss,
                    test_accuracy = ev.Accuracy,
                    per_class = names.Select((n, i) => new { @class = n, accuracy = perClass[i] }),
                    confusion = Enumerable.Range(0, names.Count).Select(i => Enumerable.Range(0, names.Count).Select(j => ev.Confusion[i, j])),
                });
                return 0;
            }
            AnsiConsole.MarkupLine(Markup.Escape($"model {job.Config.Model} · {job.Config.Data} test set: accuracy {ev.Accuracy.ToString("F4", inv)}, loss {ev.Loss.ToString("F4", inv)} ({job.Test.Count} examples)"));
            var cm = new Table().Title("confusion matrix (rows: true class, columns: predicted)").AddColumn("true \\ predicted");
            for (int j = 0; j < names.Count; j++) cm.AddColumn(new TableColumn(j.ToString(inv)).RightAligned());
            cm.AddColumn(new TableColumn("accuracy").RightAligned());
            for (int i = 0; i < names.Count; i++)
            {
                var row = new List<string> { i.ToString(inv) };
                for (int j = 0; j < names.Count; j++) row.Add(i == j ? $"[green]{ev.Confusion[i, j]}[/]" : ev.Confusion[i, j].ToString(inv));
                row.Add(perClass[i].ToString("F3", inv));
                cm.AddRow(row.ToArray());
            }
            AnsiConsole.Write(cm);
            AnsiConsole.MarkupLine(Markup.Escape("classes: " + string.Join(", ", names.Select((n, i) => $"{i} {n}"))));
            return 0;
        });
        return cmd;
    }
}
