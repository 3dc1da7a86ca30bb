using Descent.Plotting;

namespace Descent.Lab;

/// <summary>One backward pass checked against central differences at several ε.</summary>
/// <param name="Name">Which backward pass.</param>
/// <param name="Epsilons">The steps ε of the central differences.</param>
/// <param name="RelativeDifferences">‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂) at each ε.</param>
/// <param name="AtNotesEpsilon">The relative difference at ε = 1e-7, the notes' step.</param>
/// <param name="Verdict">The notes' reading at ε = 1e-7: &lt; 1e-7 great, &lt; 1e-5 fine but check, &lt; 1e-3 suspicious, above: a bug.</param>
internal sealed record GradCheckRun(string Name, double[] Epsilons, double[] RelativeDifferences, double AtNotesEpsilon, string Verdict);

/// <summary>What <c>descent lab gradcheck</c> measured.</summary>
internal sealed record GradCheckLabResult(IReadOnlyList<GradCheckRun> Runs, [property: System.Text.Json.Serialization.JsonIgnore] IReadOnlyList<Figure> Figures);

/// <summary>
/// Gradient checking as an experiment. The notes' 3-layer net s = vᵀx, h = tanh(s), ŷ = wᵀh with the half-SSE loss
/// ½‖y − ŷ‖² over a batch (float64, 2 → 4 → 2, seeded), and the notes' backward pass
/// Δw = h(ŷ − y)ᵀ, Δv = x[(ŷ − y)wᵀ ⊙ f′(s)], compared with the central difference ĝᵢ = (J(θ + εeᵢ) − J(θ − εeᵢ))/2ε by
/// the relative difference ‖g − ĝ‖₂ / (‖g‖₂ + ‖ĝ‖₂). Four backward passes: the correct one; the same computed in float32
/// (rounding error); one that forgets f′(s) (a real bug); one with the output gradient off by 0.1 % (a subtle bug). Each
/// is checked over ε from 1e-1 to 1e-10: a correct gradient's difference falls as ε² (truncation) until rounding,
/// ~1e-16/ε, takes over; a bug stays flat, whatever ε.
/// </summary>
internal static class GradCheckLab
{
    /// <summary>The notes' thresholds and step.</summary>
    public const string Rule = "At ε = 1e-7: relative difference < 1e-7 great; < 1e-5 probably fine, look again; < 1e-3 suspicious; above, a bug (the notes' 1e-7 / 1e-5 / 1e-3).";

    private const int Batch = 8, In = 2, Hidden = 4, Out = 2;

    /// <summary>Runs the four backward passes over the ε sweep.</summary>
    public static GradCheckLabResult Run(ulong seed)
    {
        var rng = new Rng(seed, 31);
        double[] Draw(int n, double std) => Enumerable.Range(0, n).Select(_ => rng.Normal(0, std)).ToArray();
        var x = Draw(Batch * In, 1);         // [batch, in]
        var y = Draw(Batch * Out, 1);        // [batch, out]
        var theta = Draw(In * Hidden + Hidden * Out, 0.8);   // v [in, hidden] then w [hidden, out]
        double[] eps = Enumerable.Range(1, 10).Select(k => Math.Pow(10, -k)).ToArray();
        var passes = new (string Name, Func<double[], double[]> Backward)[]
        {
            ("the notes' backprop (correct)", t => Backward(x, y, t, false, 1.0)),
            ("the same in float32", t => Backward32(x, y, t)),
            ("forgets f′(s) in the hidden layer", t => Backward(x, y, t, true, 1.0)),
            ("output gradient off by 0.1 %", t => Backward(x, y, t, false, 1.001)),
        };
        var runs = new List<GradCheckRun>();
        foreach (var (name, backward) in passes)
        {
            var g = backward(theta);
            var diffs = eps.Select(e => GradCheck.Compare(name, [theta.Length], g, Numeric(x, y, theta, e)).RelativeDifference).ToArray();
            double at = diffs[6];
            runs.Add(new GradCheckRun(name, eps, diffs, at, at < 1e-7 ? "great" : at < 1e-5 ? "probably fine" : at < 1e-3 ? "suspicious" : "a bug"));
        }
        var chart = new LineChart
        {
            Title = "Gradient check of the notes' 2-4-2 tanh net: relative difference against ε",
            XLabel = "ε of the central difference (log)", YLabel = "‖g − ĝ‖ / (‖g‖ + ‖ĝ‖) (log)", XScale = AxisScale.Log, YScale = AxisScale.Log, Height = 480,
        };
        foreach (var r in runs) chart.Add(new Series($"{r.Name}: {r.AtNotesEpsilon:0.#e0} at ε = 1e-7 ({r.Verdict})", r.Epsilons, r.RelativeDifferences, null, true));
        chart.HorizontalRule(1e-3, "1e-3: a bug above");
        chart.HorizontalRule(1e-5, "1e-5: look again");
        chart.HorizontalRule(1e-7, "1e-7: great below");
        chart.VerticalRule(1e-7, "the notes' ε");
        var fig = new Figure("gradcheck.svg", "Gradient checking: a correct backward pass, rounding, and two bugs",
            $"A correct gradient's difference falls as ε² until rounding (≈ 1e-16/ε) takes over, so its minimum is near ε = 1e-5; float32 rounding alone lifts it to " +
            $"{runs[1].AtNotesEpsilon:0.#e0}, the edge of 'great'; a bug stays flat whatever ε: forgetting f′ gives {runs[2].AtNotesEpsilon:0.##}, a 0.1 % error " +
            $"{runs[3].AtNotesEpsilon:0.#e0} ('suspicious').", chart.ToSvg());
        return new GradCheckLabResult(runs, [fig]);
    }

    /// <summary>J(θ) = ½ Σ‖y − ŷ‖² with ŷ = tanh(x v) w.</summary>
    public static double Loss(double[] x, double[] y, double[] theta)
    {
        double j = 0;
        for (int b = 0; b < Batch; b++)
        {
            var h = Hid(x, theta, b);
            for (int o = 0; o < Out; o++)
            {
                double yhat = 0;
                for (int k = 0; k < Hidden; k++) yhat += h[k] * theta[In * Hidden + k * Out + o];
                j += 0.5 * (yhat - y[b * Out + o]) * (yhat - y[b * Out + o]);
            }
        }
        return j;
    }

    private static double[] Hid(double[] x, double[] theta, int b)
    {
        var h = new double[Hidden];
        for (int k = 0; k < Hidden; k++)
        {
            double s = 0;
            for (int i = 0; i < In; i++) s += x[b * In + i] * theta[i * Hidden + k];
            h[k] = Math.Tanh(s);
        }
        return h;
    }

    /// <summary>The notes' backward pass (optionally without f′(s), or with the output error scaled).</summary>
    private static double[] Backward(double[] x, double[] y, double[] theta, bool forgetDerivative, double outputScale)
    {
        var g = new double[theta.Length];
        for (int b = 0; b < Batch; b++)
        {
            var h = Hid(x, theta, b);
            var err = new double[Out];                                        // ŷ − y
            for (int o = 0; o < Out; o++)
            {
                double yhat = 0;
                for (int k = 0; k < Hidden; k++) yhat += h[k] * theta[In * Hidden + k * Out + o];
                err[o] = (yhat - y[b * Out + o]) * outputScale;
            }
            for (int k = 0; k < Hidden; k++)
            {
                double back = 0;
                for (int o = 0; o < Out; o++)
                {
                    g[In * Hidden + k * Out + o] += h[k] * err[o];               // Δw = h (ŷ − y)ᵀ
                    back += err[o] * theta[In * Hidden + k * Out + o];
                }
                double delta = forgetDerivative ? back : back * (1 - h[k] * h[k]);   // f′(s) = 1 − tanh²(s)
                for (int i = 0; i < In; i++) g[i * Hidden + k] += x[b * In + i] * delta;   // Δv = x δᵀ
            }
        }
        return g;
    }

    /// <summary>The correct backward pass with every number rounded to float32.</summary>
    private static double[] Backward32(double[] x, double[] y, double[] theta)
    {
        float[] F(double[] a) => a.Select(v => (float)v).ToArray();
        float[] xf = F(x), yf = F(y), tf = F(theta);
        var g = new float[theta.Length];
        for (int b = 0; b < Batch; b++)
        {
            var h = new float[Hidden];
            for (int k = 0; k < Hidden; k++)
            {
                float s = 0;
                for (int i = 0; i < In; i++) s += xf[b * In + i] * tf[i * Hidden + k];
                h[k] = MathF.Tanh(s);
            }
            var err = new float[Out];
            for (int o = 0; o < Out; o++)
            {
                float yhat = 0;
                for (int k = 0; k < Hidden; k++) yhat += h[k] * tf[In * Hidden + k * Out + o];
                err[o] = yhat - yf[b * Out + o];
            }
            for (int k = 0; k < Hidden; k++)
            {
                float back = 0;
                for (int o = 0; o < Out; o++)
                {
                    g[In * Hidden + k * Out + o] += h[k] * err[o];
                    back += err[o] * tf[In * Hidden + k * Out + o];
                }
                float delta = back * (1 - h[k] * h[k]);
                for (int i = 0; i < In; i++) g[i * Hidden + k] += xf[b * In + i] * delta;
            }
        }
        return g.Select(v => (double)v).ToArray();
    }

    private static double[] Numeric(double[] x, double[] y, double[] theta, double eps)
    {
        var t = (double[])theta.Clone();
        var n = new double[t.Length];
        for (int j = 0; j < t.Length; j++)
        {
            double saved = t[j];
            t[j] = saved + eps;
            double plus = Loss(x, y, t);
            t[j] = saved - eps;
            double minus = Loss(x, y, t);
            t[j] = saved;
            n[j] = (plus - minus) / (2 * eps);
        }
        return n;
    }
}
