using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Regularization;
using Descent.Training;

namespace Descent.Tests.Autograd;

/// <summary>
/// The one training path: a step captured once and replayed must give bitwise the eager step's numbers and allocate
/// nothing, for every kind of model (plain MLP, BatchNorm1d, dropout with an L2 penalty, residual blocks, a regression).
/// </summary>
[Collection("Threading")]
public class CapturedStepTests
{
    public static TheoryData<string> Models => new() { "mlp", "mlp+bn", "mlp+dropout+l2", "residual", "regression-mse", "smoothing+weights" };

    private const int Batch = 32, In = 12, Classes = 4;

    /// <summary>A model, its loss and penalty, built the same way (same seed) each call.</summary>
    private static (Module Model, Func<Tensor, int[], Tensor, Tensor> Loss, Penalty? Penalty, bool Regression) Build(string kind)
    {
        var rng = new Rng(11, 1);
        switch (kind)
        {
            case "mlp":
                return (new Sequential(new Linear(In, 16, rng), new ReLU(), new Linear(16, 16, rng), new ReLU(), new Linear(16, Classes, rng)), CrossEntropy, null, false);
            case "mlp+bn":
                return (new Sequential(new Linear(In, 16, rng), new BatchNorm1d(16), new ReLU(), new Linear(16, Classes, rng)), CrossEntropy, null, false);
            case "mlp+dropout+l2":
                return (new Sequential(new Linear(In, 16, rng), new Tanh(), new Dropout(0.3, rng.Fork()), new Linear(16, Classes, rng)), CrossEntropy, Penalty.L2(1e-2), false);
            case "residual":
                var body = new Sequential(new Linear(16, 16, rng), new ReLU(), new Linear(16, 16, rng));
                return (new Sequential(new Linear(In, 16, rng), new ReLU(), new Residual(body), Residual.WithProjection(new Sequential(new Linear(16, 8, rng), new GELU()), 16, 8, rng),
                    new Linear(8, Classes, rng)), CrossEntropy, Penalty.L1(1e-3), false);
            case "regression-mse":
                return (new Sequential(new Linear(In, 16, rng), new Sigmoid(), new Linear(16, 2, rng)), (y, _, t) => new MseLoss().Forward(y, t), null, true);
            case "smoothing+weights":
                var w = Tensor.From(new float[] { 1, 2, 0.5f, 1 }, Classes);
                return (new Sequential(new Linear(In, 16, rng), new LeakyReLU(0.1), new Linear(16, Classes, rng)),
                    (y, l, _) => y.CrossEntropy(l, w, labelSmoothing: 0.1), null, false);
            default: throw new ArgumentException(kind);
        }
    }

    private static Tensor CrossEntropy(Tensor y, int[] labels, Tensor _) => y.CrossEntropy(labels);

    /// <summary>Runs <paramref name="steps"/> steps of Adam, captured (replayed after the first) or eager; returns the losses and the model.
    /// With <paramref name="poison"/> the captured step's arena is filled with NaN before every call (see TapePlanningTests).</summary>
    internal static (double[] Losses, Module Model, CapturedStep? Step, long AllocatedAfterWarmUp) Train(string kind, bool capture, int steps, bool poison = false)
    {
        var (model, loss, penalty, regression) = Build(kind);
        var parameters = model.Parameters;
        var optimizer = OptimizerSpec.Parse("adam:lr=0.01").Create(parameters);
        var data = new Rng(5, 3);
        var x = Tensor.Normal(data, 0, 1, DType.Float32, Batch, In);        // [batch, in], refilled each step (as the loader's buffer)
        var target = Tensor.Zeros(Batch, 2);                                 // [batch, 2] regression targets
        var labels = new int[Batch];
        Tensor[] Body(Tensor[] inputs, int[] y, int mode)
        {
            foreach (var p in parameters) p.Grad = null;
            var output = model.Forward(inputs[0]);
            var l = loss(output, y, inputs[1]);
            if (penalty is not null) l = penalty.AddTo(l, model);
            l.Backward();
            return [l];
        }
        var step = capture ? new CapturedStep(Body) : null;
        var losses = new double[steps];
        long before = 0;
        for (int s = 0; s < steps; s++)
        {
            if (s == 2) before = GC.GetAllocatedBytesForCurrentThread();
            data.FillNormal(x.Floats, 0, 1);
            data.FillNormal(target.Floats, 0, 1);
            for (int i = 0; i < Batch; i++) labels[i] = (int)(data.NextDouble() * Classes);
            if (poison) step!.Arena.Poison();
            var outputs = step is null ? Body([x, target], labels, 0) : step.Run([x, target], labels);
            losses[s] = outputs[0].Item();
            optimizer.Step();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _ = regression;
        return (losses, model, step, allocated);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ReplayedStepsAreBitwiseTheEagerSteps(string kind)
    {
        var eager = Train(kind, capture: false, steps: 6);
        var replay = Train(kind, capture: true, steps: 6);
        Assert.Equal(1, replay.Step!.Captures);
        Assert.True(replay.Step.LastReplayed);
        Assert.Equal(eager.Losses, replay.Losses);
        foreach (var (name, t) in eager.Model.StateDict())
            Assert.True(t.BitwiseEquals(replay.Model.StateDict()[name]), $"{kind}: {name} differs after replay");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void SteadyStateReplayAllocatesNothing(string kind)
    {
        var replay = Train(kind, capture: true, steps: 10);
        Assert.Equal(0, replay.AllocatedAfterWarmUp);
    }

    [Fact]
    public void ANewShapeRecordsItsOwnTapeAndTheOldOneStillReplays()
    {
        var model = new Sequential(new Linear(3, 4, new Rng(1)), new ReLU(), new Linear(4, 2, new Rng(2)));
        var step = new CapturedStep((xs, y, _) => { using (Descent.Autograd.NoGrad()) return [model.Forward(xs[0])]; });
        var a = Tensor.Normal(new Rng(3), 0, 1, DType.Float32, 5, 3);
        var b = Tensor.Normal(new Rng(4), 0, 1, DType.Float32, 2, 3);
        var ya = step.Run([a], []).Single().Clone();
        var yb = step.Run([b], []).Single().Clone();
        Assert.Equal(2, step.Captures);
        using (Descent.Autograd.NoGrad())
        {
            Assert.True(step.Run([a], []).Single().BitwiseEquals(model.Forward(a)));
            Assert.True(step.LastReplayed);
            Assert.True(ya.BitwiseEquals(model.Forward(a)) && yb.BitwiseEquals(model.Forward(b)));
        }
        // A different tensor of the same shape is read in place (the placeholder is rebound, views of it too).
        var c = Tensor.Normal(new Rng(9), 0, 1, DType.Float32, 5, 3);
        using (Descent.Autograd.NoGrad()) Assert.True(step.Run([c], []).Single().BitwiseEquals(model.Forward(c)));
    }

    [Fact]
    public void DropoutDrawsANewMaskOnEveryReplay()
    {
        var rng = new Rng(8);
        var step = new CapturedStep((xs, _, _) => [xs[0].Dropout(0.5, rng)]);
        var x = Tensor.Ones(1, 64);
        var first = step.Run([x], []).Single().Clone();
        var second = step.Run([x], []).Single();
        Assert.False(first.BitwiseEquals(second));
    }
}
