using System.Globalization;
using Descent.Training;
using Spectre.Console;

namespace Descent.Cli.Rendering;

/// <summary>
/// Shows a training run: a live Spectre.Console progress bar (epoch, step, loss, accuracy, samples/s, ETA)
/// when stdout is a terminal, else one plain line per epoch; nothing at all under <c>--json</c>.
/// </summary>
internal sealed class TrainingView(bool quiet, int epochs)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly bool _live = !quiet && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="train"/> while showing its progress; <paramref name="subscribe"/> wires the trainer's events to the view.</summary>
    public T Run<T>(Action<Action<StepMetrics>, Action<EpochMetrics>> subscribe, Func<T> train)
    {
        if (quiet)
        {
            subscribe(_ => { }, _ => { });
            return train();
        }
        if (!_live)
        {
            subscribe(_ => { }, e => Console.WriteLine(Line(e)));
            return train();
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                int current = -1;
                subscribe(
                    s =>
                    {
                        if (s.Epoch != current)
                        {
                            task?.StopTask();
                            current = s.Epoch;
                            task = ctx.AddTask($"epoch {s.Epoch + 1}/{epochs}", maxValue: s.StepsPerEpoch);
                        }
                        task!.Value = s.StepInEpoch + 1;
                        task.Description = string.Create(Inv,
                            $"epoch {s.Epoch + 1}/{epochs} step {s.StepInEpoch + 1}/{s.StepsPerEpoch} loss {s.Loss:F4}{(double.IsNaN(s.Accuracy) ? "" : $" acc {s.Accuracy:F3}")} {s.SamplesPerSecond:N0}/s");
                    },
                    e =>
                    {
                        if (task is null) return;
                        task.Description = Markup.Escape(Line(e));
                        task.Value = task.MaxValue;
                        task.StopTask();
                    });
                result = train();
            });
        return result;
    }

    /// <summary>"epoch 3/10  loss 0.3121  acc 0.8870  val_loss …  lr 0.001  61,234 samples/s  0.98 s" (a regression: rmse and r2 for acc).</summary>
    public string Line(EpochMetrics e)
    {
        bool regression = !double.IsNaN(e.TrainRmse);
        var val = double.IsNaN(e.ValidationLoss) ? ""
            : regression ? string.Create(Inv, $"  val_loss {e.ValidationLoss:F4}  val_rmse {e.ValidationRmse:F4}  val_r2 {e.ValidationR2:F4}")
            : string.Create(Inv, $"  val_loss {e.ValidationLoss:F4}  val_acc {e.ValidationAccuracy:F4}");
        var fit = regression ? string.Create(Inv, $"rmse {e.TrainRmse:F4}  r2 {e.TrainR2:F4}") : string.Create(Inv, $"acc {e.TrainAccuracy:F4}");
        return string.Create(Inv, $"epoch {e.Epoch + 1}/{epochs}  loss {e.TrainLoss:F4}  {fit}{val}  lr {e.LearningRate:G4}  {e.SamplesPerSecond:N0} samples/s  {e.Seconds:F2} s");
    }
}
