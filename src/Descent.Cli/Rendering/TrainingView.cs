using System.Globalization;
using Descent.Training;
using Spectre.Console;

namespace Descent.Cli.Rendering;

/// <summary>
/// Shows a training run: in a terminal, a live progress bar for the epoch under way (step, loss, accuracy, samples/s,
/// time left) fitted to the console's width, with each finished epoch written above it as a line of its own; when
/// piped, one plain line per epoch; nothing at all under <c>--json</c>.
/// </summary>
/// <param name="console">Where the live display and the epoch lines go.</param>
/// <param name="piped">Where the plain lines go when the console is not interactive.</param>
/// <param name="quiet">Show nothing (<c>--json</c>).</param>
/// <param name="epochs">The run's number of epochs.</param>
internal sealed class TrainingView(IAnsiConsole console, TextWriter piped, bool quiet, int epochs)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly bool _live = !quiet && console.Profile.Capabilities.Interactive;

    /// <summary>The view of the process's console (live when stdout is a terminal).</summary>
    public static TrainingView ForConsole(bool quiet, int epochs) =>
        new(CliApp.Console(), Console.Out, quiet, epochs);

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
            subscribe(_ => { }, e => piped.WriteLine(Line(e)));
            return train();
        }
        int width = console.Profile.Width;
        T result = default!;
        console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(Columns(width))
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
                            task = ctx.AddTask(Markup.Escape(Description(s, width)), maxValue: s.StepsPerEpoch);
                        }
                        task!.Value = s.StepInEpoch + 1;
                        task.Description = Markup.Escape(Description(s, width));
                    },
                    e =>
                    {
                        if (task is not null)
                        {
                            task.Value = task.MaxValue;
                            task.StopTask();
                        }
                        console.Write(new Text(Line(e, width) + "\n"));   // above the live bar
                    });
                result = train();
            });
        return result;
    }

    /// <summary>The live bar's columns at a console width: the bar takes what the text leaves; elapsed time only at ≥ 120 columns.</summary>
    internal static ProgressColumn[] Columns(int width)
    {
        int text = DescriptionWidth(width);
        int fixedParts = width >= 120 ? 4 + 8 + 8 + 1 : 4 + 8;   // 100%, elapsed, remaining, spinner
        int gaps = width >= 120 ? 6 : 4;
        int bar = Math.Max(5, Math.Min(40, width - text - fixedParts - gaps - 2));
        var columns = new List<ProgressColumn>
        {
            new TaskDescriptionColumn { Alignment = Justify.Left },
            new ProgressBarColumn { Width = bar },
            new PercentageColumn(),
        };
        if (width >= 120) columns.Add(new ElapsedTimeColumn());
        columns.Add(new RemainingTimeColumn());
        if (width >= 120) columns.Add(new SpinnerColumn());
        return columns.ToArray();
    }

    private static int DescriptionWidth(int width) => width >= 120 ? 62 : width >= 100 ? 48 : 34;

    /// <summary>The live bar's text, as much as the width allows: "epoch 3/10 step 210/469 loss 0.3121 acc 0.887 61,234/s".</summary>
    internal string Description(StepMetrics s, int width)
    {
        string epoch = string.Create(Inv, $"epoch {s.Epoch + 1}/{epochs}");
        string step = string.Create(Inv, $" step {s.StepInEpoch + 1}/{s.StepsPerEpoch}");
        string metrics = $" loss {Numbers.Format(s.Loss)}" + (double.IsNaN(s.Accuracy) ? "" : $" acc {s.Accuracy.ToString("F3", Inv)}");
        string speed = $" {Numbers.Count(s.SamplesPerSecond)}/s";
        string full = width >= 120 ? epoch + step + metrics + speed : width >= 100 ? epoch + step + metrics : epoch + metrics;
        int max = DescriptionWidth(width);
        return (full.Length <= max ? full : full[..max]).PadRight(max);
    }

    /// <summary>
    /// "epoch 3/10  loss 0.3121  acc 0.8870  val_loss …  lr 1.000e-03  61,234 samples/s  0.98 s"; below 120 columns the
    /// short form "epoch 3/10 loss 0.3121 acc 0.8870 val_loss … val_acc … lr 1.000e-03", which fits 80.
    /// </summary>
    public string Line(EpochMetrics e, int width = int.MaxValue)
    {
        bool val = !double.IsNaN(e.ValidationLoss), regression = !double.IsNaN(e.TrainRmse);   // a regression shows rmse and r2 for acc
        string Fit(string sep) => regression ? $"rmse {Numbers.Format(e.TrainRmse)}{sep}r2 {Numbers.Format(e.TrainR2)}" : $"acc {Numbers.Format(e.TrainAccuracy)}";
        string Val(string sep) => !val ? "" : regression
            ? $"{sep}val_loss {Numbers.Format(e.ValidationLoss)}{sep}val_rmse {Numbers.Format(e.ValidationRmse)}{sep}val_r2 {Numbers.Format(e.ValidationR2)}"
            : $"{sep}val_loss {Numbers.Format(e.ValidationLoss)}{sep}val_acc {Numbers.Format(e.ValidationAccuracy)}";
        if (width < 120)
            return string.Create(Inv, $"epoch {e.Epoch + 1}/{epochs} loss {Numbers.Format(e.TrainLoss)} {Fit(" ")}") + Val(" ") + $" lr {Numbers.Rate(e.LearningRate)}";
        return string.Create(Inv, $"epoch {e.Epoch + 1}/{epochs}  loss {Numbers.Format(e.TrainLoss)}  {Fit("  ")}{Val("  ")}  lr {Numbers.Rate(e.LearningRate)}  {Numbers.Count(e.SamplesPerSecond)} samples/s  {e.Seconds:F2} s");
    }
}
