using Descent.Data;
using Descent.Init;
using Descent.Nn;
using Descent.Optim;
using Descent.Plotting;

namespace Descent.Lab;

/// <summary>What <c>descent lab lr-range</c> measured.</summary>
/// <param name="Dataset">Dataset used.</param>
/// <param name="Model">Model description.</param>
/// <param name="Optimizer">Optimizer text form (its lr is overridden at every step).</param>
/// <param name="Rates">Learning rate of each step.</param>
/// <param name="Losses">Raw mini-batch loss of each step.</param>
/// <param name="Smoothed">Bias-corrected exponential moving average of the loss (β = 0.95).</param>
/// <param name="MinLossRate">Rate where the smoothed loss was lowest.</param>
/// <param name="SteepestRate">Rate where the smoothed loss fell fastest per decade.</param>
/// <param name="SuggestedRate">The suggestion: MinLossRate / 10 (a rate safely before the loss turns up).</param>
/// <param name="Figures">The figures drawn from the run.</param>
/// <param name="StoppedEarly">Whether the test stopped because the loss exceeded 4× its best.</param>
internal sealed record LrRangeResult(string Dataset, string Model, string Optimizer, double[] Rates, double[] Losses, double[] Smoothed,
    double MinLossRate, double SteepestRate, double SuggestedRate, bool StoppedEarly,
    [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// The learning-rate range test (L. Smith, "Cyclical Learning Rates for Training Neural Networks", 2017; fastai's
/// <c>lr_find</c>): train for a few hundred mini-batches while the rate grows geometrically from
/// <c>start</c> to <c>end</c>, αₖ = start·(end/start)^(k/(n−1)); record the loss, smoothed as
/// s̄ₖ = βs̄ₖ₋₁ + (1 − β)ℓₖ, sₖ = s̄ₖ/(1 − βᵏ⁺¹); stop when sₖ &gt; 4·min s. The loss first stalls (rate too small),
/// then falls, then blows up (too large); a good rate sits a decade below the minimum.
/// </summary>
internal static class LrRangeLab
{
    /// <summary>Smoothing factor of the loss average (0.95: a window of about 20 steps, a third of a decade at the default 200 steps over 6 decades).</summary>
    public const double Beta = 0.95;

    /// <summary>Runs the test on <paramref name="data"/> with an MLP of <paramref name="hidden"/> widths (ReLU, He init).</summary>
    public static LrRangeResult Run(DatasetPair data, int[] hidden, string optimizer, double start, double end, int steps, int batchSize, ulong seed)
    {
        if (!(start > 0) || !(end > start)) throw new ArgumentException($"LrRangeLab: need 0 < start < end, got start {start}, end {end}.");
        if (steps < 10) throw new ArgumentException($"LrRangeLab: need at least 10 steps, got {steps}.");
        var train = Normalizer.Fit(data.Train).Transform(data.Train);
        int[] widths = [train.FeatureCount, .. hidden, train.ClassCount];
        var model = Mlp.Create(widths, "relu", Initializer.Parse("he"), false, 0, new Rng(seed));
        var opt = OptimizerSpec.Parse(optimizer).Create(model.Parameters);
        var loader = new DataLoader(train, batchSize, shuffle: true, seed: seed);
        var rates = new List<double>();
        var losses = new List<double>();
        var smooth = new List<double>();
        double avg = 0, best = double.PositiveInfinity;
        bool stopped = false;
        int epoch = 0, k = 0;
        while (k < steps && !stopped)
        {
            foreach (var batch in loader.Batches(epoch))
            {
                double lr = start * Math.Pow(end / start, k / (double)(steps - 1));
                opt.LearningRate = lr;
                opt.ZeroGrad();
                var loss = model.Call(batch.X).CrossEntropy(batch.Labels);
                double l = loss.Item();
                if (!double.IsFinite(l)) { stopped = true; break; }
                loss.Backward();
                opt.Step();
                avg = Beta * avg + (1 - Beta) * l;
                double s = avg / (1 - Math.Pow(Beta, k + 1));
                rates.Add(lr);
                losses.Add(l);
                smooth.Add(s);
                best = Math.Min(best, s);
                k++;
                if (k > 10 && s > 4 * best) { stopped = true; break; }
                if (k >= steps) break;
            }
            epoch++;
        }
        int iMin = smooth.IndexOf(smooth.Min());
        int iSteep = 1;
        double steepest = double.PositiveInfinity;
        int skip = Math.Max(1, smooth.Count / 10);                  // the first few smoothed values are noisy
        for (int i = skip; i < iMin; i++)
        {
            double slope = (smooth[i] - smooth[i - skip]) / (Math.Log10(rates[i]) - Math.Log10(rates[i - skip]));
            if (slope < steepest) { steepest = slope; iSteep = i; }
        }
        double minRate = rates[iMin], steepRate = rates[Math.Min(iSteep, rates.Count - 1)], suggested = minRate / 10;
        var chart = new LineChart
        {
            Title = $"Learning-rate range test on {data.Train.Name} ({string.Join("-", widths)} ReLU, {optimizer})",
            XLabel = "learning rate (log scale)",
            YLabel = "training loss",
            XScale = AxisScale.Log,
            YRange = (0, Math.Min(smooth.Max(), 4 * best) * 1.05),
        };
        chart.Add("mini-batch loss", rates, losses, dash: "1 2");
        chart.Add("smoothed loss (β = 0.95)", rates, smooth);
        chart.VerticalRule(suggested, $"suggested {suggested:g2}");
        chart.VerticalRule(minRate, $"min {minRate:g2}");
        var fig = new Figure("lr-range.svg", "Learning-rate range test", $"Suggested rate {suggested:g3} (a decade below the minimum of the smoothed loss at {minRate:g3}); steepest descent at {steepRate:g3}.", chart.ToSvg());
        return new LrRangeResult(data.Train.Name, $"MLP {string.Join("-", widths)} ReLU (He)", optimizer, rates.ToArray(), losses.ToArray(), smooth.ToArray(),
            minRate, steepRate, suggested, stopped, [fig]);
    }
}
