using Descent.Optim;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Optim;

/// <summary>State save/restore, the notes' functions, parameter groups, the Momentum/SGD equivalence, allocations.</summary>
[Collection("Threading")]
public class OptimizerBehaviourTests
{
    public static TheoryData<string> Specs => new()
    {
        "sgd:lr=0.05", "sgd:lr=0.05,momentum=0.9,nesterov=true", "sgd:lr=0.05,momentum=0.8,dampening=0.1,weight_decay=0.01",
        "momentum:lr=0.05,momentum=0.9", "adagrad:lr=0.5,lr_decay=0.01,initial_accumulator_value=0.1",
        "rmsprop:lr=0.01,alpha=0.9,momentum=0.5,centered=true", "rmsprop:lr=0.01",
        "adam:lr=0.1", "adam:lr=0.1,amsgrad=true,weight_decay=0.01", "adamw:lr=0.1,weight_decay=0.1",
    };

    private static (Tensor X, Tensor A, Tensor B) Problem(DType dtype)
    {
        var x = Tensor.From([-2.0, 1.5, -1.0, 0.5], 4).To(dtype); x.RequiresGrad = true;
        return (x, Tensor.From([2.0, 1.5, 1.0, 0.2], 4).To(dtype), Tensor.From([-1.0, 0.4, 0.3, 0.8], 4).To(dtype));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void SavingAndRestoringMidTrajectoryGivesBitwiseTheSameTrajectory(string spec)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var (x, a, b) = Problem(dtype);
            var straight = OptimizerSpec.Parse(spec).Create([x]);
            OptimizerReferenceTests.Run(straight, x, a, b, 10);
            var state = straight.StateDict();
            var saved = x.Clone();
            var expected = OptimizerReferenceTests.Run(straight, x, a, b, 15);

            var y = saved; y.RequiresGrad = true;
            var resumed = OptimizerSpec.Parse(spec).Create([y]);
            resumed.LoadStateDict(state);
            Assert.Equal(10, resumed.StepCount);
            var actual = OptimizerReferenceTests.Run(resumed, y, a, b, 15);
            Assert.True(expected.SequenceEqual(actual), $"{spec} {dtype}: resumed trajectory differs");
        }
    }

    [Fact]
    public void StateDictUsesPyTorchNamesAndRejectsBadEntries()
    {
        var (x, a, b) = Problem(DType.Float64);
        var adam = new Adam([x], lr: 0.1, amsgrad: true);
        OptimizerReferenceTests.Run(adam, x, a, b, 3);
        var s = adam.StateDict();
        Assert.Equal(["lr", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq", "state.0.step", "step_count"], s.Keys.Order());
        Assert.Equal(3, s["state.0.step"].Item());
        var missing = s.Where(kv => kv.Key != "state.0.exp_avg_sq").ToDictionary();
        Assert.Contains("state.0.exp_avg_sq", Assert.Throws<KeyNotFoundException>(() => adam.LoadStateDict(missing)).Message);
        var bad = s.ToDictionary(); bad["state.0.exp_avg"] = Tensor.Zeros(DType.Float64, 3);
        Assert.Contains("[3]", Assert.Throws<ShapeException>(() => adam.LoadStateDict(bad)).Message);
    }

    /// <summary>The notes: f(x₁, x₂) = (x₁ − 5)² + x₂² from x⁽⁰⁾ = (−9, 6); gradient descent with α = 0.1 gives x⁽¹⁾ = (−6.2, 4.8).</summary>
    [Fact]
    public void GradientDescentReproducesTheNotesFirstStep()
    {
        var x = Tensor.From([-9.0, 6.0], 2); x.RequiresGrad = true;
        var sgd = new Sgd([x], lr: 0.1);
        NotesLoss(x).Backward();
        Assert.Equal([-28.0, 12.0], x.Grad!.ToArray());
        sgd.Step();
        Close([-6.2, 4.8], x.ToArray(), 1e-15);
    }

    private static Tensor NotesLoss(Tensor x)
    {
        var shift = Tensor.From([5.0, 0.0], 2);
        var d = x - shift;
        return (d * d).Sum();
    }

    public static TheoryData<string> NotesSpecs => new()
    {
        "sgd:lr=0.1", "sgd:lr=0.05,momentum=0.9", "sgd:lr=0.05,momentum=0.9,nesterov=true", "momentum:lr=0.05,momentum=0.9",
        "adagrad:lr=2", "rmsprop:lr=0.01", "rmsprop:lr=0.01,momentum=0.5,centered=true", "adam:lr=0.5", "adam:lr=0.5,amsgrad=true", "adamw:lr=0.5,weight_decay=0",
    };

    /// <summary>Each optimizer minimizes the notes' (x₁ − 5)² + x₂² from (−9, 6) and 0.1x₁² + x₂² from (−8, 5).</summary>
    [Theory]
    [MemberData(nameof(NotesSpecs))]
    public void MinimizesTheNotesFunctions(string spec)
    {
        var x = Tensor.From([-9.0, 6.0], 2); x.RequiresGrad = true;
        var o = OptimizerSpec.Parse(spec).Create([x]);
        for (int i = 0; i < 2000; i++) { o.ZeroGrad(); NotesLoss(x).Backward(); o.Step(); }
        Assert.True(NotesLoss(x).Item() < 1e-3, $"{spec}: f = {NotesLoss(x).Item()} at ({x[0]}, {x[1]})");

        var y = Tensor.From([-8.0, 5.0], 2); y.RequiresGrad = true;
        var w = Tensor.From([0.1, 1.0], 2);
        var o2 = OptimizerSpec.Parse(spec).Create([y]);
        for (int i = 0; i < 2000; i++) { o2.ZeroGrad(); (w * y * y).Sum().Backward(); o2.Step(); }
        Assert.True((w * y * y).Sum().Item() < 1e-3, $"{spec}: 0.1x₁² + x₂² = {(w * y * y).Sum().Item()} at ({y[0]}, {y[1]})");
    }

    [Fact]
    public void NotesMomentumEqualsPyTorchSgdMomentumForAConstantRate()
    {
        var (x, a, b) = Problem(DType.Float64);
        var (y, _, _) = Problem(DType.Float64);
        var t1 = OptimizerReferenceTests.Run(new Momentum([x], lr: 0.05, momentum: 0.9), x, a, b, 40);
        var t2 = OptimizerReferenceTests.Run(new Sgd([y], lr: 0.05, momentum: 0.9), y, a, b, 40);
        Close(t2, t1, 1e-12, floor: 1e-6);
    }

    [Fact]
    public void ParameterGroupsHaveTheirOwnRateAndDecayAndFollowTheSchedule()
    {
        var p = Tensor.From([1.0], 1); p.RequiresGrad = true;
        var q = Tensor.From([1.0], 1); q.RequiresGrad = true;
        var sgd = new Sgd([new ParamGroup([p]), new ParamGroup([q], learningRate: 0.5, weightDecay: 1.0)], lr: 0.1);
        p.Grad = Tensor.From([1.0], 1); q.Grad = Tensor.From([1.0], 1);
        sgd.Step();
        Assert.Equal(1 - 0.1, p[0], 15);
        Assert.Equal(1 - 0.5 * (1 + 1), q[0], 15);
        sgd.LearningRate = 0.05; // the schedule halves every group
        Assert.Equal(0.25, sgd.GroupLearningRate(sgd.ParamGroups[1]), 15);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheValue()
    {
        var x = Tensor.Zeros(2); x.RequiresGrad = true;
        Assert.Contains("-0.1", Assert.Throws<ArgumentException>(() => new Adam([x], lr: -0.1)).Message);
        Assert.Contains("beta1", Assert.Throws<ArgumentException>(() => new Adam([x], beta1: 1.0)).Message);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new Sgd([x], nesterov: true)).Message);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => new Sgd([x, x])).Message);
    }

    [Fact]
    public void ParametersWithoutGradientAreSkipped()
    {
        var x = Tensor.From([1.0, 2.0], 2); x.RequiresGrad = true;
        var adam = new Adam([x]);
        adam.Step();
        Assert.Equal([1.0, 2.0], x.ToArray());
        Assert.DoesNotContain("state.0.step", adam.StateDict().Keys);
    }

    /// <summary>A 37-element parameter (vector lanes + scalar tail) moves bitwise like 37 one-element parameters (scalar path only).</summary>
    [Theory]
    [MemberData(nameof(Specs))]
    public void VectorLanesAndScalarTailGiveBitwiseTheSameNumbers(string spec)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var rng = new Rng(3);
            var whole = Tensor.Normal(rng, 0, 1, dtype, 37); whole.RequiresGrad = true;
            var pieces = Enumerable.Range(0, 37).Select(i => { var t = Tensor.Full(whole[i], dtype, 1); t.RequiresGrad = true; return t; }).ToArray();
            var o1 = OptimizerSpec.Parse(spec).Create([whole]);
            var o2 = OptimizerSpec.Parse(spec).Create(pieces);
            for (int step = 0; step < 5; step++)
            {
                var grad = Tensor.Normal(rng, 0, 1, dtype, 37);
                whole.Grad = grad;
                for (int i = 0; i < 37; i++) pieces[i].Grad = Tensor.Full(grad[i], dtype, 1);
                o1.Step(); o2.Step();
            }
            for (int i = 0; i < 37; i++)
                Assert.True(BitConverter.DoubleToInt64Bits(whole[i]) == BitConverter.DoubleToInt64Bits(pieces[i][0]), $"{spec} {dtype}: element {i}: {whole[i]:R} vs {pieces[i][0]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void SteadyStateStepAllocatesNothing(string spec)
    {
        var rng = new Rng(7);
        var ps = new[] { Tensor.Randn(rng, 64, 32), Tensor.Randn(rng, 32), Tensor.Randn(rng, 10, 64) };
        foreach (var p in ps) { p.RequiresGrad = true; p.Grad = Tensor.Randn(rng, p.ShapeArray); }
        var o = OptimizerSpec.Parse(spec).Create(ps);
        for (int i = 0; i < 3; i++) o.Step(); // first step allocates the state; warm up the JIT
        GradientClipping.ClipGradNorm(ps, 1.0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) { GradientClipping.ClipGradNorm(ps, 1e3); o.Step(); }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
