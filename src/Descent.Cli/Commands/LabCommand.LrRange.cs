using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Descent.Lab;
using Spectre.Console;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
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
            var t = new Table().Title($"LR range test: {Markup.Escape(r.Model)} on {Markup.Escape(r.Dataset)}, {Markup.Escape(r.Optimizer)}").AddColumns("", "value");
            t.AddRow("steps run", r.Rates.Length.ToString(CultureInfo.InvariantCulture) + (r.StoppedEarly ? " (stopped: loss > 4× best)" : ""));
            t.AddRow("rate range", $"{G(r.Rates[0])} → {G(r.Rates[^1])}");
            t.AddRow("lowest smoothed loss", $"{G(r.Smoothed.Min())} at lr {G(r.MinLossRate)}");
            t.AddRow("steepest descent", $"lr {G(r.SteepestRate)}");
            t.AddRow("[bold]suggested rate[/]", $"[bold]{G(r.SuggestedRate)}[/] (min / 10)");
            string verdict = $"the loss stalls below ~{G(r.SteepestRate / 10)}, falls fastest near {G(r.SteepestRate)} and blows up past {G(r.MinLossRate)}: train at about {G(r.SuggestedRate)}.";
            string variant = Variant(("data", spec, "fashion-mnist"), ("widths", p.GetValue(widths), "256,128"), ("optimizer", p.GetValue(opt), "sgd:momentum=0.9"));
            var figures = r.Figures.Select(f => variant.Length == 0 ? f : f with { FileName = f.FileName.Replace("lr-range", "lr-range" + variant) }).ToList();
            return Publish(p, c, watch, r, figures, new Words("lr-range" + variant, Chapter.Decay, "Finding a learning rate: the range test" + (variant.Length > 0 ? $" ({variant[1..]})" : ""),
                "αₖ = start·(end/start)^(k/(n−1)), smoothed loss sₖ = βs̄ₖ₋₁ + (1 − β)ℓₖ, suggested α = argmin s / 10",
                "α is the first hyper-parameter to tune (the notes' priority list). Sweeping it geometrically in one short run shows the three regimes of descent: " +
                "too small (the loss barely moves), right (it falls fastest), too large (it blows up); a safe rate sits a decade below the minimum."), [t], verdict);
        });
        return cmd;
    }
}
