using Descent.Nn;
using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent gradcheck</c>: analytic gradients of small models against central differences in float64,
/// parameter by parameter. Exit code 1 when any check fails.
/// </summary>
internal static class GradCheckCommand
{
    public static Command Create()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var epsilon = new Option<double>("--epsilon") { Description = "Step ε of the central difference.", DefaultValueFactory = _ => 1e-6 };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest relative difference ‖g − ĝ‖/(‖g‖ + ‖ĝ‖) that passes.", DefaultValueFactory = _ => 1e-7 };
        var cmd = new Command("gradcheck", "Check backpropagation against numerical gradients (central differences, float64) for small models.")
        {
            json, seed, epsilon, tolerance,
        };
        CliApp.SetAction(cmd, p =>
        {
            double eps = p.GetValue(epsilon), tol = p.GetValue(tolerance);
            if (!(eps > 0)) throw new UserException($"--epsilon must be > 0, got {eps}.");
            if (!(tol > 0)) throw new UserException($"--tolerance must be > 0, got {tol}.");
            var rows = new List<(string Model, GradCheck.Result R)>();
            foreach (var model in GradCheckModels.All(p.GetValue(seed)))
                foreach (var r in GradCheck.Check(model.Loss, model.Parameters, eps, tol))
                    rows.Add((model.Name, r));
            bool ok = rows.All(r => r.R.Passed);
            double worst = rows.Count == 0 ? 0 : rows.Max(r => r.R.RelativeDifference);
            if (p.GetValue(json))
            {
                CliApp.WriteJson(new
                {
                    passed = ok,
                    epsilon = eps,
                    tolerance = tol,
                    largest_relative_difference = worst,
                    checks = rows.Select(r => new
                    {
                        model = r.Model,
                        parameter = r.R.Name,
                        shape = r.R.Shape,
                        max_abs_error = r.R.MaxAbsError,
                        max_rel_error = r.R.MaxRelError,
                        relative_difference = r.R.RelativeDifference,
                        passed = r.R.Passed,
                    }),
                });
            }
            else
            {
                var table = new Table().AddColumns("model", "parameter", "shape", "max abs err", "max rel err", "rel diff", "");
                foreach (var (m, r) in rows)
                    table.AddRow(Markup.Escape(m), Markup.Escape(r.Name), Markup.Escape(Shape.Format(r.Shape)), F(r.MaxAbsError), F(r.MaxRelError), F(r.RelativeDifference),
                        r.Passed ? "[green]ok[/]" : "[red]FAIL[/]");
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLine(ok
                    ? $"[green]All {rows.Count} gradients match[/] (largest relative difference {F(worst)} ≤ {F(tol)}, ε = {F(eps)})."
                    : $"[red]{rows.Count(r => !r.R.Passed)} of {rows.Count} gradients differ[/] (tolerance {F(tol)}).");
            }
            return ok ? 0 : 1;
        });
        return cmd;
    }

    private static string F(double v) => v.ToString("0.00e+00", CultureInfo.InvariantCulture);
}

/// <summary>The small float64 models <c>descent gradcheck</c> checks: each a loss closure over named parameters.</summary>
internal static class GradCheckModels
{
    public sealed record Model(string Name, Func<Tensor> Loss, IReadOnlyList<Tensor> Parameters);

    public static IEnumerable<Model> All(ulong seed)
    {
        yield return Mlp(seed);
        yield return BatchNorm(seed);
        yield return ResidualBlock(seed, projection: false);
        yield return ResidualBlock(seed, projection: true);
        yield return Cnn(seed);
        yield return FusedHead(seed);
        foreach (var a in Descent.Nn.Activation.Names) yield return ActivationModel(seed, a);
    }

    /// <summary>A module's parameters (named by their dotted path) and the input x as gradient-check inputs.</summary>
    private static Model FromModule(string name, Descent.Nn.Module model, Tensor x, int[] targets)
    {
        model.To(DType.Float64);
        var ps = new List<Tensor>();
        foreach (var (n, t) in model.NamedParameters()) { t.Name = n; ps.Add(t); }
        x.Name = "x"; x.RequiresGrad = true;
        ps.Add(x);
        return new Model(name, () => model.Call(x).CrossEntropy(targets), ps);
    }

    private static (Tensor X, int[] Targets) Batch(Rng rng, int batch, int features, int classes) =>
        (Tensor.Normal(rng, 0, 1, DType.Float64, batch, features), Enumerable.Range(0, batch).Select(_ => rng.NextInt(classes)).ToArray());

    /// <summary>x [8, 5] → Linear(5, 6, no bias: batch norm cancels it) → BatchNorm1d(6) in training mode → tanh → Linear(6, 3) → cross-entropy.</summary>
    public static Model BatchNorm(ulong seed)
    {
        var rng = new Rng(seed, 102);
        var (x, t) = Batch(rng, 8, 5, 3);
        var bn = new Descent.Nn.BatchNorm1d(6, weightInit: new Descent.Init.Uniform(0.5, 1.5), biasInit: new Descent.Init.Normal(0, 0.5), rng: rng, dtype: DType.Float64);
        var model = new Descent.Nn.Sequential(new Descent.Nn.Linear(5, 6, rng, bias: false, dtype: DType.Float64), bn, new Descent.Nn.Tanh(), new Descent.Nn.Linear(6, 3, rng, dtype: DType.Float64));
        model.Train();
        return FromModule("batchnorm1d (training)", model, x, t);
    }

    /// <summary>x [6, 4] → Residual(Linear → tanh → Linear) (+ a bias-free Linear(4, 5) projection) → Linear → cross-entropy.</summary>
    public static Model ResidualBlock(ulong seed, bool projection)
    {
        var rng = new Rng(seed, projection ? 104UL : 103UL);
        int width = projection ? 5 : 4;
        var (x, t) = Batch(rng, 6, 4, 3);
        var body = new Descent.Nn.Sequential(new Descent.Nn.Linear(4, 6, rng, dtype: DType.Float64), new Descent.Nn.Tanh(), new Descent.Nn.Linear(6, width, rng, dtype: DType.Float64));
        var model = new Descent.Nn.Sequential(
            Descent.Nn.Residual.WithProjection(body, 4, width, rng, DType.Float64),
            new Descent.Nn.Linear(width, 3, rng, dtype: DType.Float64));
        return FromModule(projection ? "residual (projection)" : "residual (identity)", model, x, t);
    }

    /// <summary>x [3, 2, 6, 6] → Conv2d(2, 4, 3, padding 1) → tanh → Conv2d(4, 4, 3, stride 2, groups 2) → tanh → Flatten → Linear(16, 3) → cross-entropy.</summary>
    public static Model Cnn(ulong seed)
    {
        var rng = new Rng(seed, 105);
        var x = Tensor.Normal(rng, 0, 1, DType.Float64, 3, 2, 6, 6);
        int[] t = Enumerable.Range(0, 3).Select(_ => rng.NextInt(3)).ToArray();
        var model = new Descent.Nn.Sequential(
            new Descent.Nn.Conv2d(2, 4, 3, rng, padding: 1, dtype: DType.Float64), new Descent.Nn.Tanh(),
            new Descent.Nn.Conv2d(4, 4, 3, rng, stride: 2, groups: 2, dtype: DType.Float64), new Descent.Nn.Tanh(),
            new Descent.Nn.Flatten(), new Descent.Nn.Linear(4 * 2 * 2, 3, rng, dtype: DType.Float64));
        return FromModule("cnn conv-tanh-conv(stride 2, groups 2)", model, x, t);
    }

    /// <summary>
    /// x [7, 5] → tanh → the trainer's fused last layer and loss (<c>Ops.LinearCrossEntropy</c>: Linear(5, 4) + cross-entropy with
    /// class weights, label smoothing 0.1 and one ignored row).
    /// </summary>
    public static Model FusedHead(ulong seed)
    {
        var rng = new Rng(seed, 106);
        var (x, t) = Batch(rng, 7, 5, 4);
        t[3] = -100;
        var head = new Descent.Nn.Linear(5, 4, rng, dtype: DType.Float64);
        var classWeight = Tensor.Uniform(rng, 0.5, 2, DType.Float64, 4);
        head.Weight.Name = "weight"; head.Bias!.Name = "bias";
        x.Name = "x"; x.RequiresGrad = true;
        return new Model("linear + cross-entropy (fused)",
            () => x.Tanh().LinearCrossEntropy(head.Weight, head.Bias, t, out _, classWeight, labelSmoothing: 0.1), [head.Weight, head.Bias, x]);
    }

    /// <summary>x [6, 4] → Linear(4, 5) → activation → Linear(5, 3) → cross-entropy.</summary>
    public static Model ActivationModel(ulong seed, string activation)
    {
        var rng = new Rng(seed, 110 + (ulong)Descent.Nn.Activation.Names.ToList().IndexOf(activation));
        var (x, t) = Batch(rng, 6, 4, 3);
        var model = new Descent.Nn.Sequential(
            new Descent.Nn.Linear(4, 5, rng, weightInit: new Descent.Init.Normal(0, 0.8), dtype: DType.Float64),
            Descent.Nn.Activation.Create(activation),
            new Descent.Nn.Linear(5, 3, rng, dtype: DType.Float64));
        return FromModule("activation " + activation, model, x, t);
    }

    /// <summary>x [8, 5] → Linear(5, 6) → tanh → Linear(6, 6) → relu → Linear(6, 5) → sigmoid → Linear(5, 3) → cross-entropy.</summary>
    public static Model Mlp(ulong seed)
    {
        var rng = new Rng(seed, 101);
        int[] widths = [5, 6, 6, 5, 3];
        var x = Tensor.Normal(rng, 0, 1, DType.Float64, 8, widths[0]);
        int[] targets = Enumerable.Range(0, 8).Select(_ => rng.NextInt(widths[^1])).ToArray();
        var ps = new List<Tensor>();
        for (int l = 0; l + 1 < widths.Length; l++)
        {
            var w = Tensor.Normal(rng, 0, 1.0 / Math.Sqrt(widths[l]), DType.Float64, widths[l + 1], widths[l]);
            var b = Tensor.Normal(rng, 0, 0.1, DType.Float64, widths[l + 1]);
            w.Name = $"{2 * l}.weight"; b.Name = $"{2 * l}.bias";
            w.RequiresGrad = b.RequiresGrad = true;
            ps.Add(w); ps.Add(b);
        }
        Tensor Loss()
        {
            var h = x.Linear(ps[0], ps[1]).Tanh();
            h = h.Linear(ps[2], ps[3]).Relu();
            h = h.Linear(ps[4], ps[5]).Sigmoid();
            var logits = h.Linear(ps[6], ps[7]);
            return logits.LogSoftmax(-1).Gather(targets).Mean().Neg();
        }
        return new Model("mlp tanh-relu-sigmoid", Loss, ps);
    }
}
