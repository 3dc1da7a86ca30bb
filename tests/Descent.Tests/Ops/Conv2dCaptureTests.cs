using Descent.Kernels;
using Descent.Nn;
using Descent.Optim;

namespace Descent.Tests.Ops;

/// <summary>
/// A small CNN (Conv2d → ReLU → Flatten → Linear, cross-entropy, Adam) on the one training path: the step captured once
/// and replayed gives bitwise the eager steps' numbers, allocates nothing once warm, and is the same for 1 and 2 threads.
/// </summary>
[Collection("Threading")]
public class Conv2dCaptureTests
{
    public static TheoryData<string> Models => new() { "conv", "conv+strided-groups" };

    private const int Batch = 16, Side = 8, Classes = 3;

    private static Module Build(string kind)
    {
        var rng = new Rng(12, 1);
        return kind switch
        {
            "conv" => new Sequential(new Conv2d(1, 4, 3, rng, padding: 1), new ReLU(), new Flatten(), new Linear(4 * Side * Side, Classes, rng)),
            "conv+strided-groups" => new Sequential(new Conv2d(1, 4, 3, rng, padding: 1), new ReLU(), new Conv2d(4, 6, 3, rng, stride: 2, padding: 1, groups: 2),
                new Tanh(), new Conv2d(6, 5, 1, rng, bias: false), new Flatten(), new Linear(5 * 4 * 4, Classes, rng)),
            _ => throw new ArgumentException(kind),
        };
    }

    /// <summary>Runs <paramref name="steps"/> Adam steps, captured (replayed after the first) or eager: the losses, the model, the bytes allocated after 2 steps.</summary>
    private static (double[] Losses, Module Model, CapturedStep? Step, long Allocated) Train(string kind, bool capture, int steps)
    {
        var model = Build(kind);
        var parameters = model.Parameters;
        var optimizer = OptimizerSpec.Parse("adam:lr=0.01").Create(parameters);
        var data = new Rng(5, 3);
        var x = Tensor.Zeros(DType.Float32, Batch, 1, Side, Side);            // [batch, 1, 8, 8], refilled each step (as the loader's buffer)
        var labels = new int[Batch];
        Tensor[] Body(Tensor[] inputs, int[] y, int mode)
        {
            foreach (var p in parameters) p.Grad = null;
            var l = model.Forward(inputs[0]).CrossEntropy(y);
            l.Backward();
            return [l];
        }
        var step = capture ? new CapturedStep(Body) : null;
        var losses = new double[steps];
        var window = new SteadyWindow(steps);                                    // steady state: steps 2 … (see SteadyWindow)
        for (int s = 0; s < steps; s++)
        {
            window.At(s);
            data.FillNormal(x.Floats, 0, 1);
            for (int i = 0; i < Batch; i++) labels[i] = (int)(data.NextDouble() * Classes);
            var outputs = step is null ? Body([x], labels, 0) : step.Run([x], labels);
            losses[s] = outputs[0].Item();
            optimizer.Step();
        }
        return (losses, model, step, window.Allocated());
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
        Assert.True(eager.Losses[^1] < eager.Losses[0], $"{kind}: the loss did not fall ({eager.Losses[0]} → {eager.Losses[^1]})");
        foreach (var (name, t) in eager.Model.StateDict())
            Assert.True(t.BitwiseEquals(replay.Model.StateDict()[name]), $"{kind}: {name} differs after replay");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void SteadyStateReplayAllocatesNothing(string kind)
    {
        var replay = Train(kind, capture: true, steps: 10);
        Assert.Equal(0, replay.Allocated);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void OneAndTwoThreadsTrainToTheSameBits(string kind)
    {
        (double[] Losses, Module Model, CapturedStep? Step, long Allocated) one, two;
        using (Threading.Limit(1)) one = Train(kind, capture: true, steps: 4);
        using (Threading.Limit(2)) two = Train(kind, capture: true, steps: 4);
        Assert.Equal(one.Losses, two.Losses);
        foreach (var (name, t) in one.Model.StateDict())
            Assert.True(t.BitwiseEquals(two.Model.StateDict()[name]), $"{kind}: {name} differs between 1 and 2 threads");
    }
}
