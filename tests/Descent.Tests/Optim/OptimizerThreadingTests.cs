using Descent.Kernels;
using Descent.Optim;

namespace Descent.Tests.Optim;

/// <summary>Large parameters are split into chunks over the worker pool; the numbers must not depend on the thread count.</summary>
[Collection("Threading")]
public class OptimizerThreadingTests
{
    /// <summary>
    /// 300,007 elements: above the split threshold, not a multiple of the chunk size, so the last chunk has a
    /// vector part and a scalar tail; a small second parameter shares the step's job.
    /// The steady-state split step allocates nothing.
    /// </summary>
    [Theory]
    [InlineData("adam:lr=0.01,weight_decay=0.01")]
    [InlineData("adamw:lr=0.01,amsgrad=true")]
    [InlineData("sgd:lr=0.05,momentum=0.9,nesterov=true")]
    [InlineData("rmsprop:lr=0.01,alpha=0.9,momentum=0.5,centered=true")]
    public void OneAndTwoThreadsGiveBitwiseTheSameStep(string spec)
    {
        Assert.True(300_007 >= Optimizer.SplitThreshold && 300_007 % Optimizer.ChunkElements != 0);
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var one = Run(spec, dtype, threads: 1);
            var two = Run(spec, dtype, threads: 2);
            for (int i = 0; i < one.Params.Length; i++) Assert.True(one.Params[i].BitwiseEquals(two.Params[i]), $"{spec} {dtype}: parameter {i}");
            foreach (var (name, t) in one.State) Assert.True(t.BitwiseEquals(two.State[name]), $"{spec} {dtype}: state {name}");
        }
    }

    /// <summary>
    /// The gradient norm measured inside the step is the same bits for 1 and 2 threads, and agrees with
    /// <see cref="GradientClipping.TotalNorm"/> (a separate pass, per tensor) to rounding.
    /// </summary>
    [Theory]
    [InlineData(DType.Float32, 1e-5)]
    [InlineData(DType.Float64, 1e-13)]
    public void GradientNormMeasuredInTheStepIsThreadIndependentAndMatchesTotalNorm(DType dtype, double tolerance)
    {
        double Measure(int threads, out double reference)
        {
            int saved = Threading.MaxThreads;
            try
            {
                Threading.MaxThreads = threads;
                var rng = new Rng(5);
                var ps = new[] { Tensor.Normal(rng, 0, 1, dtype, 300_007), Tensor.Normal(rng, 0, 1, dtype, 37), Tensor.Normal(rng, 0, 1, dtype, 3) };
                foreach (var p in ps) { p.RequiresGrad = true; p.Grad = Tensor.Normal(rng, 0, 2, dtype, p.ShapeArray); }
                var o = (Optimizer)OptimizerSpec.Parse("adam:lr=0.01").Create(ps);
                reference = GradientClipping.TotalNorm(ps);
                Assert.True(double.IsNaN(o.GradientNorm));
                o.MeasureGradientNorm = true;
                o.Step();
                return o.GradientNorm;
            }
            finally { Threading.MaxThreads = saved; }
        }
        double one = Measure(1, out double reference), two = Measure(2, out _);
        Assert.Equal(BitConverter.DoubleToInt64Bits(one), BitConverter.DoubleToInt64Bits(two));
        Assert.True(Math.Abs(one - reference) <= tolerance * reference, $"measured {one:R}, TotalNorm {reference:R}");
        Assert.InRange(reference, 2 * Math.Sqrt(300_047) * 0.99, 2 * Math.Sqrt(300_047) * 1.01);
    }

    private static (Tensor[] Params, IReadOnlyDictionary<string, Tensor> State) Run(string spec, DType dtype, int threads)
    {
        int saved = Threading.MaxThreads;
        try
        {
            Threading.MaxThreads = threads;
            var rng = new Rng(11);
            var ps = new[] { Tensor.Normal(rng, 0, 1, dtype, 300_007), Tensor.Normal(rng, 0, 1, dtype, 37) };
            foreach (var p in ps) p.RequiresGrad = true;
            var o = OptimizerSpec.Parse(spec).Create(ps);
            // The split step allocates nothing either. Other tests run in parallel and change the global thread count,
            // and the runtime may allocate once in a while (tiering); a step that allocated would do so every time,
            // so it is enough that one of the last four steps allocated nothing.
            var allocated = new List<long>();
            for (int step = 0; step < 8; step++)
            {
                foreach (var p in ps) p.Grad = Tensor.Normal(rng, 0, 1, dtype, p.ShapeArray);
                long before = GC.GetAllocatedBytesForCurrentThread();
                o.Step();
                if (step >= 4) allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.Contains(0L, allocated);
            return (ps, o.StateDict());
        }
        finally { Threading.MaxThreads = saved; }
    }
}
