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
            return logits.LogSoftmax(-1).Pick(targets).Mean().Neg();
        }
        return new Model("mlp tanh-relu-sigmoid", Loss, ps);
    }
}
