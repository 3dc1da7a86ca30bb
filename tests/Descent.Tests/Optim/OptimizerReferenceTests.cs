using System.Globalization;
using System.Text.Json;
using Descent.Optim;
using Xunit.Abstractions;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Optim;

/// <summary>
/// ../shared/reference/pytorch/optimizers.json: 12 PyTorch optimizers minimizing
/// f(x) = Σ aᵢxᵢ² + b·x for 25 steps in float64; every iterate must match at 1e-10 relative.
/// The optimizer is built from its text form, made from the JSON hyperparameters.
/// </summary>
public class OptimizerReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Reference("optimizers.json").GetProperty("cases").EnumerateObject()) data.Add(c.Name);
        return data;
    }

    /// <summary>"adam:lr=0.1,beta1=0.8,beta2=0.99" from {"optimizer": "Adam", "hyperparameters": {"lr": 0.1, "betas": [0.8, 0.99]}}.</summary>
    internal static string SpecOf(JsonElement c)
    {
        var parts = new List<string>();
        foreach (var h in c.GetProperty("hyperparameters").EnumerateObject())
        {
            if (h.Name == "betas") { parts.Add($"beta1={h.Value[0].GetDouble().ToString("R", CultureInfo.InvariantCulture)}"); parts.Add($"beta2={h.Value[1].GetDouble().ToString("R", CultureInfo.InvariantCulture)}"); }
            else parts.Add($"{h.Name}={(h.Value.ValueKind is JsonValueKind.True or JsonValueKind.False ? h.Value.GetBoolean().ToString().ToLowerInvariant() : h.Value.GetDouble().ToString("R", CultureInfo.InvariantCulture))}");
        }
        return c.GetProperty("optimizer").GetString()!.ToLowerInvariant() + ":" + string.Join(",", parts);
    }

    /// <summary>Runs 25 steps on f and returns the iterates, flattened [25·4].</summary>
    internal static double[] Run(IOptimizer o, Tensor x, Tensor a, Tensor b, int steps)
    {
        var traj = new List<double>();
        for (int s = 0; s < steps; s++)
        {
            o.ZeroGrad();
            ((a * x * x).Sum() + (b * x).Sum()).Backward();
            o.Step();
            traj.AddRange(x.ToArray());
        }
        return traj.ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrajectoryMatchesPyTorch(string name)
    {
        var d = Reference("optimizers.json");
        var c = d.GetProperty("cases").GetProperty(name);
        var x = Tensor64(d.GetProperty("x0")); x.RequiresGrad = true;
        var a = Tensor64(d.GetProperty("a")); var b = Tensor64(d.GetProperty("b"));
        string spec = SpecOf(c);
        var o = OptimizerSpec.Parse(spec).Create([x]);
        var actual = Run(o, x, a, b, d.GetProperty("steps").GetInt32());
        var expected = Flat(c.GetProperty("trajectory"));
        output.WriteLine($"{name} ({spec}): max relative difference {MaxRel(expected, actual):E3}");
        Close(expected, actual, 1e-10, what: name);
    }
}
