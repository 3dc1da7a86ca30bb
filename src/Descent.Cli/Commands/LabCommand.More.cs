using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    /// <summary>The experiments beyond <c>descend</c>.</summary>
    private static IEnumerable<Command> More()
    {
        yield return Init();
        yield return Vanishing();
        yield return Schedules();
        yield return Optimizers();
        yield return BatchNorm();
        yield return InitTrain();
        yield return LrRange();
    }

    private static Command LrRange()
    {
        var c = new Common();
        var data = new Option<string>("--data") { Description = "Dataset: fashion-mnist (default, when installed) or a synthetic set such as spirals; " + Data.DatasetSpec.Accepted, DefaultValueFactory = _ => "auto" };
        var widths = new Option<string>("--widths") { Description = "Hidden layer widths of the MLP.", DefaultValueFactory = _ => "256,128" };
        var opt = new Option<string>("--optimizer") { Description = "Optimizer text form (the lr is swept).", DefaultValueFactory = _ => "sgd:momentum=0.9" };
        var start = new Option<double>("--start") { Description = "First learning rate.", DefaultValueFactory = _ => 1e-5 };
        var end = new Option<double>("--end") { Description = "Last learning rate.", DefaultValueFactory = _ => 10 };
        var steps = new Option<int>("--steps") { Description = "Mini-batches of the sweep.", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size.", DefaultValueFactory = _ => 64 };
        var cmd = c.Command("lr-range", "The learning-rate range test: loss against a geometrically growing rate, with a suggested rate.", data, widths, opt, start, end, steps, batch);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            string spec = p.GetValue(data)!;
            if (spec == "auto") spec = Data.FashionMnist.TryLocate() is null ? "spirals" : "fashion-mnist";
            var pair = Data.DatasetSpec.Load(spec, p.GetValue(c.Seed));
            int bs = p.GetValue(batch);
            if (bs < 2) throw new UserException($"--batch-size must be ≥ 2, got {bs}.");
            var r = LrRangeLab.Run(pair, ParseWidths(p.GetValue(widths)!, "--widths"), p.GetValue(opt)!, p.GetValue(start), p.GetValue(end), p.GetValue(steps), bs, p.GetValue(c.Seed));
            var saved = Save(p.GetValue(c.Out)!, "Learning-rate range test", r.Figures);
            if (!p.GetValue(c.Json))
            {
                var t = new Table().Title($"LR range test: {Markup.Escape(r.Model)} on {Markup.Escape(r.Dataset)}, {Markup.Escape(r.Optimizer)}").AddColumns("", "value");
                t.AddRow("steps run", r.Rates.Length.ToString(CultureInfo.InvariantCulture) + (r.StoppedEarly ? " (stopped: loss > 4× best)" : ""));
                t.AddRow("rate range", $"{G(r.Rates[0])} → {G(r.Rates[^1])}");
                t.AddRow("lowest smoothed loss", $"{G(r.Smoothed.Min())} at lr {G(r.MinLossRate)}");
                t.AddRow("steepest descent", $"lr {G(r.SteepestRate)}");
                t.AddRow("[bold]suggested rate[/]", $"[bold]{G(r.SuggestedRate)}[/] (min / 10)");
                AnsiConsole.Write(t);
            }
            Finish(p.GetValue(c.Json), r, saved, watch);
            return 0;
        });
        return cmd;
    }

    private static Command InitTrain()
    {
        var c = new Common();
        var widths = new Option<string>("--widths") { Description = "Layer widths including input (2) and classes (2).", DefaultValueFactory = _ => "2,10,5,2" };
        var inits = new Option<string>("--inits") { Description = "Initializers to compare, separated by ';'.", DefaultValueFactory = _ => "zeros;normal:10;he" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 60 };
        var samples = new Option<int>("--samples") { Description = "Points of the circles set (a quarter held out for testing).", DefaultValueFactory = _ => 800 };
        var opt = new Option<string>("--optimizer") { Description = "Optimizer text form.", DefaultValueFactory = _ => "sgd:lr=0.05,momentum=0.9" };
        var cmd = c.Command("init-train", "A 3-layer ReLU network on circles trained from zeros, normal×10 and He: loss, accuracy, and the symmetry of zeros.",
            widths, inits, epochs, samples, opt);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var w = ParseWidths(p.GetValue(widths)!, "--widths");
            int e = p.GetValue(epochs), n = p.GetValue(samples);
            if (e < 1) throw new UserException($"--epochs must be ≥ 1, got {e}.");
            if (n < 20) throw new UserException($"--samples must be ≥ 20, got {n}.");
            var list = p.GetValue(inits)!.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var i in list) Descent.Init.Initializer.Parse(i);
            var r = InitTrainLab.Run(w, list, e, n, p.GetValue(opt)!, p.GetValue(c.Seed));
            var saved = Save(p.GetValue(c.Out)!, "Initialization and training", r.Figures);
            if (!p.GetValue(c.Json))
            {
                var t = new Table().Title($"Circles, ReLU {string.Join("-", w)}, {Markup.Escape(r.Optimizer)}")
                    .AddColumns("init", "loss ep 0", "loss last", "train acc", "test acc", "distinct hidden units per layer");
                foreach (var run in r.Runs)
                {
                    var last = run.Epochs[^1];
                    t.AddRow(Markup.Escape(run.Init), G(run.Epochs[0].TrainLoss), G(last.TrainLoss), P(last.TrainAccuracy), P(last.TestAccuracy),
                        string.Join(" / ", run.FinalDistinctUnits.Select((d, k) => $"{d} of {w[k + 1]}")));
                }
                AnsiConsole.Write(t);
            }
            Finish(p.GetValue(c.Json), r, saved, watch);
            return 0;
        });
        return cmd;
    }

    private static Command BatchNorm()
    {
        var c = new Common();
        var widths = new Option<string>("--widths") { Description = "Hidden layer widths.", DefaultValueFactory = _ => "100,100,100,100,100,100" };
        var act = new Option<string>("--activation") { Description = "Activation of every hidden layer.", DefaultValueFactory = _ => "tanh" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 30 };
        var samples = new Option<int>("--samples") { Description = "Points of the spirals set (a quarter held out for testing).", DefaultValueFactory = _ => 1500 };
        var opt = new Option<string>("--optimizer") { Description = "Optimizer text form.", DefaultValueFactory = _ => "sgd:lr=0.05,momentum=0.9" };
        var cmd = c.Command("batchnorm", "The same deep network from N(0, 0.01²) and N(0, 1) weights, with and without batch norm: training curves and per-layer statistics.",
            widths, act, epochs, samples, opt);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var hidden = ParseWidths(p.GetValue(widths)!, "--widths");
            int e = p.GetValue(epochs), n = p.GetValue(samples);
            if (e < 1) throw new UserException($"--epochs must be ≥ 1, got {e}.");
            if (n < 20) throw new UserException($"--samples must be ≥ 20, got {n}.");
            var r = BatchNormLab.Run(hidden, p.GetValue(act)!, e, n, p.GetValue(opt)!, p.GetValue(c.Seed));
            var saved = Save(p.GetValue(c.Out)!, "Batch normalization", r.Figures);
            if (!p.GetValue(c.Json))
            {
                var t = new Table().Title($"Batch norm on spirals ({string.Join("-", hidden)} {Markup.Escape(r.Activation)}, {Markup.Escape(r.Optimizer)})")
                    .AddColumns("network", "loss ep 0", "loss last", "train acc", "test acc", "std layer 1 → last (init)", "grad std 1 → last (init)");
                foreach (var run in r.Runs)
                {
                    var last = run.Epochs[^1];
                    t.AddRow(Markup.Escape(run.Name), G(run.Epochs[0].TrainLoss), G(last.TrainLoss), P(last.TrainAccuracy), P(last.TestAccuracy),
                        $"{G(run.Before[0].Std)} → {G(run.Before[^1].Std)}", $"{G(run.Before[0].GradientStd)} → {G(run.Before[^1].GradientStd)}");
                }
                AnsiConsole.Write(t);
            }
            Finish(p.GetValue(c.Json), r, saved, watch);
            return 0;
        });
        return cmd;
    }

    private static Command Optimizers()
    {
        var c = new Common();
        var scale = new Option<double>("--iterations-scale") { Description = "Multiply every race's number of steps by this.", DefaultValueFactory = _ => 1.0 };
        var cmd = c.Command("optimizers", "SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam and AdamW racing on 2-D functions, Rosenbrock and Beale.", scale);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            double k = p.GetValue(scale);
            if (!(k > 0)) throw new UserException($"--iterations-scale must be > 0, got {k}.");
            var r = OptimizersLab.Run(OptimizersLab.DefaultRaces(), k);
            var saved = Save(p.GetValue(c.Out)!, "Optimizers", r.Figures);
            if (!p.GetValue(c.Json))
            {
                var t = new Table().Title("Optimizer race (steps to reach f − f* < 1e-4 of the start's gap)").AddColumns("f", "optimizer", "steps", "final x", "f(x)", "steps to 1e-4");
                foreach (var run in r.Runs)
                    t.AddRow(run.Function, Markup.Escape(run.Optimizer), run.Iterations.ToString(CultureInfo.InvariantCulture), Vec(run.FinalX), G(run.FinalF),
                        run.Diverged ? "[red]diverged[/]" : run.StepsToTolerance?.ToString(CultureInfo.InvariantCulture) ?? "–");
                AnsiConsole.Write(t);
            }
            Finish(p.GetValue(c.Json), r, saved, watch);
            return 0;
        });
        return cmd;
    }

    private static Command Schedules()
    {
        var c = new Common();
        var lr = new Option<double>("--lr") { Description = "Base learning rate α₀.", DefaultValueFactory = _ => 0.1 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to plot.", DefaultValueFactory = _ => 50 };
        var steps = new Option<int>("--steps-per-epoch") { Description = "Optimizer steps per epoch (for per-step schedules).", DefaultValueFactory = _ => 100 };
        var extra = new Option<string[]>("--schedule") { Description = "Also plot this schedule (text form, repeatable), e.g. cosine:tmax=30.", AllowMultipleArgumentsPerToken = false };
        var cmd = c.Command("schedules", "Learning-rate decay over epochs: the notes' decays (inverse-time, 0.95^epoch, k/√epoch, k/√t, staircase) and the others.",
            lr, epochs, steps, extra);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            int e = p.GetValue(epochs), spe = p.GetValue(steps);
            var list = SchedulesLab.NotesSchedules.Select(s => (s, "Decays of the notes"))
                .Concat(SchedulesLab.OtherSchedules(e, spe).Select(s => (s, "Other schedules")))
                .Concat((p.GetValue(extra) ?? []).Select(s => (s, "Your schedules"))).ToList();
            var r = SchedulesLab.Run(p.GetValue(lr), e, spe, list);
            var saved = Save(p.GetValue(c.Out)!, "Learning-rate schedules", r.Figures);
            if (!p.GetValue(c.Json))
            {
                int[] at = [0, 1, 2, 5, 10, e / 2, e];
                var t = new Table().Title($"Learning rate by epoch (α₀ = {G(r.BaseRate)}, {spe} steps/epoch)").AddColumn("schedule");
                foreach (int k in at.Distinct()) t.AddColumn(new TableColumn($"ep {k}").RightAligned());
                foreach (var curve in r.Curves)
                    t.AddRow([Markup.Escape(curve.Spec), .. at.Distinct().Select(k => G(curve.Rates[k]))]);
                AnsiConsole.Write(t);
            }
            Finish(p.GetValue(c.Json), r, saved, watch);
            return 0;
        });
        return cmd;
    }

    private static Command Vanishing()
    {
        var c = new Common();
        var depths = new Option<string>("--depths") { Description = "Depths to compare, comma-separated.", DefaultValueFactory = _ => "20,50,100" };
        var width = new Option<int>("--width") { Description = "Width of every layer.", DefaultValueFactory = _ => 64 };
        var samples = new Option<int>("--samples") { Description = "Number of input samples.", DefaultValueFactory = _ => 128 };
        var acts = new Option<string>("--activations") { Description = "Activations, comma-separated.", DefaultValueFactory = _ => "sigmoid,tanh,relu" };
        var init = new Option<string?>("--init") { Description = "Initializer for every layer (default: xavier for sigmoid/tanh, he for relu)." };
        var cmd = c.Command("vanishing", "Gradient norm per layer at initialization for deep sigmoid/tanh/ReLU stacks, plain and residual, beside the 0.25ⁿ bound.",
            depths, width, samples, acts, init);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var ds = ParseWidths(p.GetValue(depths)!, "--depths");
            var activations = p.GetValue(acts)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var a in activations) Nn.Activation.Create(a);
            var r = VanishingLab.Run(ds, activations, p.GetValue(width), p.GetValue(samples), p.GetValue(c.Seed), p.GetValue(init));
            var saved = Save(p.GetValue(c.Out)!, "Vanishing gradients", r.Figures);
            if (!p.GetValue(c.Json))
            {
                var t = new Table().Title($"Gradient norms at initialization (width {r.Width}, {r.Samples} samples)")
                    .AddColumns("activation", "depth", "residual", "init", "‖∂L/∂W₁‖", "‖∂L/∂W_L‖", "first/last", "0.25^(L−1)");
                foreach (var run in r.Runs)
                    t.AddRow(run.Activation, run.Depth.ToString(CultureInfo.InvariantCulture), run.Residual ? "yes" : "no", Markup.Escape(run.Init),
                        G(run.GradientNorms[0]), G(run.GradientNorms[^1]), G(run.FirstToLast), G(run.Bound));
                AnsiConsole.Write(t);
            }
            Finish(p.GetValue(c.Json), r, saved, watch);
            return 0;
        });
        return cmd;
    }

    private static int[] ParseWidths(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0)
                throw new UserException($"{option} expects positive integers separated by commas (e.g. 500,400,300), got '{text}' ('{parts[i]}' is not one).");
        if (widths.Length == 0) throw new UserException($"{option} needs at least one width, got '{text}'.");
        return widths;
    }

    private static string P(double v) => double.IsFinite(v) ? v.ToString("0.0%", CultureInfo.InvariantCulture) : "–";

    private static Command Init()
    {
        var c = new Common();
        var widths = new Option<string>("--widths") { Description = "Hidden layer widths, comma-separated (default: six layers of 500, as in the notes).", DefaultValueFactory = _ => "500,500,500,500,500,500" };
        var input = new Option<int>("--input") { Description = "Width of the unit-normal input.", DefaultValueFactory = _ => 500 };
        var samples = new Option<int>("--samples") { Description = "Number of input samples (rows of the batch).", DefaultValueFactory = _ => 1000 };
        var activation = new Option<string?>("--activation") { Description = "tanh, relu or sigmoid (with --init: one network instead of the comparison presets)." };
        var init = new Option<string?>("--init") { Description = "Initializer text form: normal:0.01, xavier, xavier-normal, he, lecun, uniform:0.1, … (one network instead of the presets)." };
        var bn = new Option<bool>("--batchnorm") { Description = "Also run each network with BatchNorm1d before every activation." };
        var cmd = c.Command("init", "Activation and gradient statistics per layer of a deep MLP at initialization (normal 0.01/0.05/1, Xavier, He; tanh/ReLU).",
            widths, input, samples, activation, init, bn);
        CliApp.SetAction(cmd, p =>
        {
            var watch = Stopwatch.StartNew();
            var hidden = ParseWidths(p.GetValue(widths)!, "--widths");
            int inputDim = p.GetValue(input), n = p.GetValue(samples);
            if (inputDim <= 0) throw new UserException($"--input must be > 0, got {inputDim}.");
            if (n < 2) throw new UserException($"--samples must be at least 2, got {n}.");
            string? act = p.GetValue(activation), ini = p.GetValue(init);
            bool withBn = p.GetValue(bn);
            IReadOnlyList<InitConfig> configs;
            if (act is null && ini is null) configs = InitLab.Presets(inputDim, hidden, n, withBn);
            else
            {
                act ??= "tanh";
                ini ??= "normal:0.01";
                var one = new List<InitConfig> { new($"{ini} {act}", inputDim, hidden, act, ini, n, false) };
                if (withBn) one.Add(new($"{ini} {act} +BN", inputDim, hidden, act, ini, n, true));
                configs = one;
            }
            var r = InitLab.Run(configs, p.GetValue(c.Seed));
            var saved = Save(p.GetValue(c.Out)!, "Initialization", r.Figures);
            if (!p.GetValue(c.Json))
            {
                var t = new Table().Title($"Per-layer statistics at initialization (input {inputDim}, widths {string.Join("-", hidden)}, {n} samples)")
                    .AddColumns("network", "layer", "mean", "std", "saturated", "dead ReLU", "grad std");
                foreach (var run in r.Runs)
                {
                    foreach (var l in run.Layers)
                        t.AddRow(l.Index == 1 ? Markup.Escape(run.Config.Name) : "", l.Index.ToString(CultureInfo.InvariantCulture), G(l.Mean), G(l.Std),
                            P(l.SaturatedFraction), P(l.DeadFraction), G(l.GradientStd));
                    t.AddEmptyRow();
                }
                AnsiConsole.Write(t);
            }
            Finish(p.GetValue(c.Json), r, saved, watch);
            return 0;
        });
        return cmd;
    }
}
