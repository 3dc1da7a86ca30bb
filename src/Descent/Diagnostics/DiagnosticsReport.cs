using System.Globalization;
using System.Text;

namespace Descent.Diagnostics;

/// <summary>How serious a finding is.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<AdviceLevel>))]
public enum AdviceLevel
{
    /// <summary>Worth knowing.</summary>
    Info,
    /// <summary>Likely hurts training.</summary>
    Warning,
}

/// <summary>One finding: which layer (0 = the whole network), what was seen, and what to try.</summary>
public sealed record Advice(AdviceLevel Level, int Layer, string Finding, string Suggestion);

/// <summary>
/// The per-layer report of <c>descent train --diagnose</c>: one row per layer and the findings of the advice rules.
/// <list type="bullet">
/// <item>dead ReLUs: more than 30 % of a ReLU layer's units output 0 for every sample;</item>
/// <item>saturation: more than 20 % of tanh/sigmoid outputs within 1 % of their limits;</item>
/// <item>vanishing or exploding gradients: std(∂L/∂a₁)/std(∂L/∂a_L), the gradient reaching the first layer's output over the
/// last's, below 1e-3 or above 1e3 (weight gradients ‖∂L/∂Wₗ‖ = ‖δₗ aₗ₋₁ᵀ‖ can stay balanced while δ vanishes, because the
/// activations shrink in the opposite direction);</item>
/// <item>collapsed activations: a layer's std below 1e-3;</item>
/// <item>update-to-weight ratio ‖ΔW‖/‖W‖ far from ~1e-3: below 1e-5 (learning rate too small) or above 1e-1 (too large).</item>
/// </list>
/// <see cref="ToString"/> prints it as a fixed-width table followed by the advice.
/// </summary>
public sealed record DiagnosticsReport(IReadOnlyList<LayerStatistics> Layers, int Batches, double GradientRatio, IReadOnlyList<Advice> Advice)
{
    /// <summary>Thresholds of the rules.</summary>
    public const double DeadLimit = 0.3, SaturationLimit = 0.2, VanishingRatio = 1e-3, ExplodingRatio = 1e3, CollapsedStd = 1e-3,
        SmallUpdate = 1e-5, LargeUpdate = 1e-1;

    /// <summary>Whether any rule raised a warning.</summary>
    public bool HasWarnings => Advice.Any(a => a.Level == AdviceLevel.Warning);

    /// <summary>Applies the rules to per-layer statistics.</summary>
    public static DiagnosticsReport From(IReadOnlyList<LayerStatistics> layers, int batches)
    {
        var advice = new List<Advice>();
        foreach (var l in layers)
        {
            if (l.DeadFraction > DeadLimit)
                advice.Add(new(AdviceLevel.Warning, l.Index, l.Channels > 0
                        ? $"{l.DeadFraction:P0} of the {l.Channels} ReLU channels of layer {l.Index} are dead (0 at every position of every sample)"
                        : $"{l.DeadFraction:P0} of the ReLU units of layer {l.Index} are dead (0 for every sample)",
                    "lower the learning rate, use He initialization, or try LeakyReLU"));
            // Channels that barely vary over N·H·W, apart from dead ReLU channels (reported above; their std is 0).
            int collapsed = l.ChannelStds.Count(s => s < CollapsedStd) - (int)Math.Round(l.DeadFraction * l.Channels);
            if (l.Channels > 0 && l.Std >= CollapsedStd && collapsed > l.Channels * DeadLimit)
                advice.Add(new(AdviceLevel.Warning, l.Index, $"{collapsed} of the {l.Channels} channels of layer {l.Index} are nearly constant (std < {CollapsedStd:0.##e+0})",
                    "check the initialization of the filters feeding them, or add batch norm"));
            if (l.SaturatedFraction > SaturationLimit)
                advice.Add(new(AdviceLevel.Warning, l.Index, $"{l.SaturatedFraction:P0} of the {l.Kind} outputs of layer {l.Index} are saturated",
                    "use Xavier initialization or smaller weights, normalize the inputs, or add batch norm"));
            if (l.Std < CollapsedStd)
                advice.Add(new(AdviceLevel.Warning, l.Index, $"the activations of layer {l.Index} have collapsed (std {l.Std:0.##e+0})",
                    "the weights are too small for this depth: use Xavier (tanh) or He (ReLU) initialization, or batch norm"));
            if (double.IsFinite(l.UpdateRatio) && l.UpdateRatio < SmallUpdate)
                advice.Add(new(AdviceLevel.Warning, l.Index, $"updates of layer {l.Index} are tiny (‖ΔW‖/‖W‖ = {l.UpdateRatio:0.##e+0}, healthy ≈ 1e-3)",
                    "raise the learning rate (try descent lab lr-range)"));
            if (double.IsFinite(l.UpdateRatio) && l.UpdateRatio > LargeUpdate)
                advice.Add(new(AdviceLevel.Warning, l.Index, $"updates of layer {l.Index} are huge (‖ΔW‖/‖W‖ = {l.UpdateRatio:0.##e+0}, healthy ≈ 1e-3)",
                    "lower the learning rate or clip gradients"));
        }
        var withGrad = layers.Where(l => double.IsFinite(l.GradientStd)).ToList();
        double ratio = withGrad.Count >= 2 && withGrad[^1].GradientStd > 0 ? withGrad[0].GradientStd / withGrad[^1].GradientStd : double.NaN;
        if (ratio < VanishingRatio || ratio == 0)
            advice.Add(new(AdviceLevel.Warning, 0, $"vanishing gradient: the gradient reaching the first layer is {ratio:0.##e+0} × the last's (std of ∂L/∂a)",
                "use ReLU with He initialization, batch norm, or residual connections; fewer layers"));
        else if (ratio > ExplodingRatio)
            advice.Add(new(AdviceLevel.Warning, 0, $"exploding gradient: the gradient reaching the first layer is {ratio:0.##e+0} × the last's (std of ∂L/∂a)",
                "clip gradients, lower the learning rate, or use smaller initial weights / batch norm"));
        if (advice.Count == 0)
            advice.Add(new(AdviceLevel.Info, 0, "no dead units, saturation, vanishing/exploding gradient or odd update ratio found", "nothing to change"));
        return new DiagnosticsReport(layers, batches, ratio, advice);
    }

    /// <summary>The report as text: a table (layer, kind, mean, std, saturated, dead, grad std, ‖∇W‖, update ratio) then the advice.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Per-layer diagnostics ({Batches} batch{(Batches == 1 ? "" : "es")})");
        sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,5} {1,-9} {2,10} {3,10} {4,9} {5,9} {6,10} {7,10} {8,10}",
            "layer", "kind", "mean", "std", "saturated", "dead", "grad std", "‖∇W‖", "‖ΔW‖/‖W‖"));
        foreach (var l in Layers)
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,5} {1,-9} {2,10} {3,10} {4,9} {5,9} {6,10} {7,10} {8,10}",
                l.Index, l.Kind, N(l.Mean), N(l.Std), Pct(l.SaturatedFraction), Pct(l.DeadFraction), N(l.GradientStd), N(l.WeightGradientNorm), N(l.UpdateRatio)));
        foreach (var l in Layers.Where(l => l.Channels > 0))
        {
            var (means, stds) = (l.ChannelMeans.Where(double.IsFinite).ToList(), l.ChannelStds.Where(double.IsFinite).ToList());
            if (means.Count == 0) continue;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"layer {l.Index} per channel ({l.Channels}): mean {N(means.Min())} … {N(means.Max())}, std {N(stds.Min())} … {N(stds.Max())}, dead {Pct(l.DeadFraction)}");
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"gradient ratio first/last layer: {N(GradientRatio)}");
        foreach (var a in Advice)
            sb.AppendLine(CultureInfo.InvariantCulture, $"{(a.Level == AdviceLevel.Warning ? "warning" : "ok")}: {a.Finding} — {a.Suggestion}.");
        return sb.ToString();
    }

    private static string N(double v) => !double.IsFinite(v) ? "–" : v == 0 ? "0" :
        Math.Abs(v) >= 1e4 || Math.Abs(v) < 1e-3 ? v.ToString("0.00e+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Pct(double v) => double.IsFinite(v) ? v.ToString("0.0%", CultureInfo.InvariantCulture) : "–";
}
