using System.Reflection;
using Descent.Data;
using Descent.Training;
using Microsoft.ML.OnnxRuntime;

namespace Descent.Onnx.Tests;

/// <summary>What a comparison of ONNX Runtime's outputs with Descent's found.</summary>
public sealed record Agreement(int Rows, double MaxDifference, double MaxMagnitude, int ArgMaxDisagreements, double DescentAccuracy, double OnnxAccuracy)
{
    public override string ToString() =>
        $"{Rows} rows: largest |ONNX Runtime − Descent| = {MaxDifference:E2} (largest |output| {MaxMagnitude:F2}), arg-max disagreements {ArgMaxDisagreements}, " +
        $"accuracy Descent {DescentAccuracy:F4}, ONNX Runtime {OnnxAccuracy:F4}";
}

/// <summary>Trains through the command line (in-process), runs ONNX files with ONNX Runtime and compares.</summary>
public static class OnnxHarness
{
    private static readonly object CliLock = new();

    /// <summary>Runs <c>descent ARGS</c> in-process; returns the exit code and what it printed.</summary>
    public static (int Exit, string Out, string Err) Cli(params string[] args)
    {
        lock (CliLock)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            Console.SetOut(o); Console.SetError(e);
            try
            {
                var entry = Assembly.Load("descent-cli").EntryPoint!;
                return ((int)entry.Invoke(null, [args])!, o.ToString(), e.ToString());
            }
            finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
        }
    }

    /// <summary>Trains with <c>descent train ARGS --out DIR</c> and loads the checkpoint.</summary>
    public static TrainedModel Train(string dir, params string[] args)
    {
        string ck = Path.Combine(dir, "checkpoint");
        var (exit, _, err) = Cli([.. args, "--out", ck, "--db", Path.Combine(dir, "runs.db"), "--json"]);
        Assert.True(exit == 0, $"descent train {string.Join(" ", args)}: exit {exit}: {err}");
        return TrainedModel.Load(ck);
    }

    /// <summary>ONNX Runtime's output [rows, k] for input <paramref name="x"/> [rows, …exampleShape].</summary>
    public static float[] Run(string onnx, float[] x, int[] exampleShape, string input = "input", string output = "logits")
    {
        using var session = new InferenceSession(onnx);
        long rows = x.Length / exampleShape.Aggregate(1, (a, b) => a * b);
        using var value = OrtValue.CreateTensorValueFromMemory(x, [rows, .. exampleShape.Select(d => (long)d)]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input], [value], [output]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>
    /// Exports a checkpoint with <c>descent export</c>, runs the file on the test split's raw features with ONNX Runtime
    /// and compares the logits with <see cref="TrainedModel.Predict"/>'s.
    /// </summary>
    public static Agreement ExportAndCompare(string dir, TrainedModel model)
    {
        string onnx = Path.Combine(dir, "model.onnx");
        var (exit, _, err) = Cli("export", "--onnx", onnx, "--checkpoint", Path.Combine(dir, "checkpoint"));
        Assert.True(exit == 0, $"descent export: exit {exit}: {err}");
        var test = DatasetSpec.Load(model.Config.Data, model.Config.Seed, model.Config.Target).Test;
        float[] raw = test.Features;   // [n, d] before normalization
        var expected = model.Predict(raw, test.Count).ToFloatArray();   // [n, classes]
        var actual = Run(onnx, raw, OnnxExport.InputShape(model));
        return Compare(expected, actual, model.ClassNames.Count, test.Labels);
    }

    /// <summary>The largest difference, the arg-max disagreements and both accuracies of logits [n, k].</summary>
    public static Agreement Compare(float[] descent, float[] onnx, int k, int[]? labels = null)
    {
        Assert.Equal(descent.Length, onnx.Length);
        int n = descent.Length / k, disagree = 0, rightD = 0, rightO = 0;
        double max = 0, magnitude = 0;
        for (int i = 0; i < descent.Length; i++) (max, magnitude) = (Math.Max(max, Math.Abs(descent[i] - onnx[i])), Math.Max(magnitude, Math.Abs(descent[i])));
        for (int r = 0; r < n; r++)
        {
            int a = ArgMax(descent.AsSpan(r * k, k)), b = ArgMax(onnx.AsSpan(r * k, k));
            if (a != b) disagree++;
            if (labels is not null) { rightD += a == labels[r] ? 1 : 0; rightO += b == labels[r] ? 1 : 0; }
        }
        return new Agreement(n, max, magnitude, disagree, labels is null ? double.NaN : rightD / (double)n, labels is null ? double.NaN : rightO / (double)n);
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
