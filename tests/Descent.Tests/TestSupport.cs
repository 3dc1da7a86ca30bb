using System.Text.Json;
using Descent.Kernels;

namespace Descent.Tests;

/// <summary>Shared helpers: PyTorch reference files, tolerances, both kernel sets.</summary>
public static class TestSupport
{
    /// <summary>
    /// The pair every resume test compares bit for bit: <paramref name="config"/> trained whole, and a run of it stopped
    /// after epoch <paramref name="stopAfter"/> (0-based) with its checkpoint in <paramref name="dir"/>, resumed from that
    /// checkpoint and not yet run.
    /// </summary>
    public static (Descent.Training.TrainingJob Whole, Descent.Training.TrainingJob First, Descent.Training.TrainingJob Resumed) WholeAndResumed(Descent.Training.TrainConfig config, string dir, int stopAfter)
    {
        var whole = Descent.Training.TrainingJob.Create(config);
        whole.Run();
        var first = Descent.Training.TrainingJob.Create(config);
        first.Trainer.EpochCompleted += e => { if (e.Epoch == stopAfter) { first.SaveCheckpoint(dir); first.Trainer.RequestStop(); } };
        first.Run();
        return (whole, first, Descent.Training.TrainingJob.Resume(dir));
    }

    /// <summary>
    /// The thread-determinism experiment every such test runs: <paramref name="config"/> trained on 1 and on 2 threads (the
    /// thread setting restored after), asserting every state-dict tensor and every epoch's train and validation loss
    /// bitwise equal; returns both finished jobs for further checks.
    /// </summary>
    public static (Descent.Training.TrainingJob One, Descent.Training.TrainingJob Two) TrainedOnOneAndTwoThreads(Descent.Training.TrainConfig config)
    {
        int saved = Threading.MaxThreads;
        try
        {
            var one = Descent.Training.TrainingJob.Create(config with { Threads = 1 }); one.Run();
            var two = Descent.Training.TrainingJob.Create(config with { Threads = 2 }); two.Run();
            foreach (var (name, t) in one.Model.StateDict()) Assert.True(t.BitwiseEquals(two.Model.StateDict()[name]), name);
            Assert.Equal(one.Trainer.State.History.Select(e => e.TrainLoss), two.Trainer.State.History.Select(e => e.TrainLoss));
            Assert.Equal(one.Trainer.State.History.Select(e => e.ValidationLoss), two.Trainer.State.History.Select(e => e.ValidationLoss));
            return (one, two);
        }
        finally
        {
            Threading.MaxThreads = saved;
        }
    }

    /// <summary>A reference file copied from ../shared/reference/pytorch (see Reference/).</summary>
    public static JsonElement Reference(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", file);
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    /// <summary>A JSON array of numbers (any nesting) flattened to doubles.</summary>
    public static double[] Flat(JsonElement e)
    {
        var list = new List<double>();
        void Walk(JsonElement x)
        {
            if (x.ValueKind == JsonValueKind.Array) foreach (var c in x.EnumerateArray()) Walk(c);
            else list.Add(x.GetDouble());
        }
        Walk(e);
        return list.ToArray();
    }

    /// <summary>The shape of a nested JSON array.</summary>
    public static int[] ShapeOf(JsonElement e)
    {
        var s = new List<int>();
        while (e.ValueKind == JsonValueKind.Array) { s.Add(e.GetArrayLength()); if (e.GetArrayLength() == 0) break; e = e[0]; }
        return s.ToArray();
    }

    /// <summary>A float64 tensor from a nested JSON array.</summary>
    public static Tensor Tensor64(JsonElement e) => Tensor.From(Flat(e), ShapeOf(e));

    /// <summary>Asserts |a − e| ≤ rel·max(|e|, floor) element by element, naming the first bad index.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rel, double floor = 1e-12, string what = "")
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = rel * Math.Max(Math.Abs(expected[i]), floor);
            if (!(Math.Abs(expected[i] - actual[i]) <= tol) && !(double.IsNaN(expected[i]) && double.IsNaN(actual[i])) && expected[i] != actual[i])
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (difference {Math.Abs(expected[i] - actual[i]):E3}, tolerance {tol:E3})");
        }
    }

    /// <summary>The largest relative difference max|a − e| / max(|e|, floor).</summary>
    public static double MaxRel(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double floor = 1e-12)
    {
        double m = 0;
        for (int i = 0; i < expected.Length; i++) m = Math.Max(m, Math.Abs(expected[i] - actual[i]) / Math.Max(Math.Abs(expected[i]), floor));
        return m;
    }

    /// <summary>Both kernel sets, for [Theory] data.</summary>
    public static TheoryData<string> KernelNames => new() { "reference", "fast" };

    /// <summary>Runs the rest of a test on the named kernels.</summary>
    internal static KernelProvider.Scope Use(string kernels) => KernelProvider.Use(KernelProvider.Select(kernels));

    /// <summary>A float64 leaf with RequiresGrad, N(0, 1) values.</summary>
    public static Tensor Param(Rng rng, params int[] shape)
    {
        var t = Tensor.Normal(rng, 0, 1, DType.Float64, shape);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Runs a gradient check and asserts every input passes.</summary>
    public static void AssertGradients(Func<Tensor> f, params Tensor[] inputs)
    {
        foreach (var r in GradCheck.Check(f, inputs))
            Assert.True(r.Passed, $"{r.Name} {Shape.Format(r.Shape)}: relative difference {r.RelativeDifference:E3}, max abs error {r.MaxAbsError:E3}");
    }
}

/// <summary>
/// Bytes this thread allocates in a loop's steady state: steps 2 … n − 1 split into two windows, the smaller count kept. A kernel part run on this thread for the first time creates its per-thread
/// scratch once (which thread runs a part depends on timing), so one window may see that; a step that allocates every
/// time shows in both. Call <see cref="At"/> at the start of every step, then <see cref="Allocated"/> after the last.
/// </summary>
internal sealed class SteadyWindow(int steps)
{
    private readonly int _split = 2 + (steps - 2) / 2;
    private long _start, _first = -1;

    public void At(int step)
    {
        if (step == 2) _start = GC.GetAllocatedBytesForCurrentThread();
        if (step == _split) { long now = GC.GetAllocatedBytesForCurrentThread(); _first = now - _start; _start = now; }
    }

    public long Allocated()
    {
        long second = GC.GetAllocatedBytesForCurrentThread() - _start;
        if (_first < 0) return second;                                         // too few steps for two windows
        return Math.Min(_first, second);
    }
}
