using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
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
            bool single = act is not null || ini is not null;
            if (!single) configs = InitLab.Presets(inputDim, hidden, n, withBn);
            else
            {
                act ??= "tanh";
                ini ??= "normal:0.01";
                var one = new List<InitConfig> { new($"{ini} {act}", inputDim, hidden, act, ini, n, false) };
                if (withBn) one.Add(new($"{ini} {act} +BN", inputDim, hidden, act, ini, n, true));
                configs = one;
            }
            // A single network or other sizes get their own section and file names: a run never replaces or mixes with another's figures.
            string variant = Variant(("widths", p.GetValue(widths), "500,500,500,500,500,500"), ("input", inputDim.ToString(CultureInfo.InvariantCulture), "500"),
                ("samples", n.ToString(CultureInfo.InvariantCulture), "1000"), ("net", single ? $"{ini} {act}" : null, ""), ("bn", withBn ? "on" : null, ""));
            var r = InitLab.Run(configs, p.GetValue(c.Seed), "init" + variant);
            var t = new Table().Title($"Per-layer statistics at initialization (input {inputDim}, widths {string.Join("-", hidden)}, {n} samples)")
                .AddColumns("network", "layer", "mean", "std", "sat.", "dead", "grad std");
            foreach (var run in r.Runs)
            {
                foreach (var l in run.Layers)
                    t.AddRow(l.Index == 1 ? Markup.Escape(run.Config.Name) : "", l.Index.ToString(CultureInfo.InvariantCulture), G(l.Mean), G(l.Std),
                        P(l.SaturatedFraction), P(l.DeadFraction), G(l.GradientStd));
                t.AddEmptyRow();
            }
            t.Caption("sat.: tanh or sigmoid outputs within 1 % of their limits; dead: ReLU units zero for every sample; mean and std include the zeros.");
            string verdict = single
                ? $"{configs[0].Name}: activation std {G(r.Runs[0].Layers[0].Std)} at layer 1, {G(r.Runs[0].Layers[^1].Std)} at layer {r.Runs[0].Layers.Count}."
                : "N(0, 0.01²) collapses tanh towards 0, N(0, 1) saturates it, Xavier keeps tanh's spread; with ReLU Xavier halves the variance per layer and He (2/fan_in) keeps it.";
            return Publish(p, c, watch, r, r.Figures, Words.Of(Lesson.Init.WithVariant(variant)),
                [t], verdict);
        });
        return cmd;
    }
}
