using Descent.Nn;
using Descent.Optim;

namespace Descent.Tests.Ops;

/// <summary>
/// A small CNN's layers without the convolution — BatchNorm2d → ReLU → MaxPool2d → AvgPool2d or AdaptiveAvgPool2d →
/// Flatten → Linear on [N, C, H, W] — on the one training path: a step captured once and replayed gives bitwise the
/// eager step's numbers (losses, parameters, running statistics) and allocates nothing; so does an evaluation forward.
/// Sizes are above the kernels' serial cut-off, so the replays run on the worker pool.
/// </summary>
[Collection("Threading")]
public class PoolingCaptureTests
{
    public static TheoryData<string> Models => new() { "avg", "adaptive" };

    private const int Batch = 16, Channels = 5, H = 28, W = 27, Classes = 4;

    private static Module Build(string kind)
    {
        var rng = new Rng(11, 1);
        return kind switch
        {
            "avg" => new Sequential(new BatchNorm2d(Channels), new ReLU(), new MaxPool2d(3, 2, 1), new AvgPool2d(2), new Flatten(), new Linear(Channels * 7 * 7, Classes, rng)),
            "adaptive" => new Sequential(new BatchNorm2d(Channels), new ReLU(), new MaxPool2d(2), new AdaptiveAvgPool2d((3, 2)), new Flatten(), new Linear(Channels * 3 * 2, Classes, rng)),
            _ => throw new ArgumentException(kind),
        };
    }

    /// <summary>Runs <paramref name="steps"/> Adam steps, captured (replayed after the first) or eager, then as many evaluation forwards.</summary>
    private static (double[] Losses, double[][] Outputs, Module Model, CapturedStep? Step, long TrainAllocated, long EvalAllocated) Run(string kind, bool capture, int steps)
    {
        var model = Build(kind);
        var parameters = model.Parameters;
        var optimizer = OptimizerSpec.Parse("adam:lr=0.01").Create(parameters);
        var data = new Rng(5, 3);
        var x = Tensor.Zeros(Batch, Channels, H, W);                          // [N, C, H, W], refilled each step (as the loader's buffer)
        var labels = new int[Batch];
        Tensor[] Body(Tensor[] inputs, int[] y, int mode)
        {
            if (mode == 1) return [model.Forward(inputs[0])];
            foreach (var p in parameters) p.Grad = null;
            var l = model.Forward(inputs[0]).CrossEntropy(y);
            l.Backward();
            return [l];
        }
        var step = capture ? new CapturedStep(Body) : null;
        var losses = new double[steps];
        // Steady state: steps 2 … steps − 1 in two windows; the second counts when the first allocated. A kernel part that
        // runs on this thread for the first time creates this thread's scratch once — which thread runs which part depends
        // on timing (a loaded machine) — and a step that allocates every time allocates in both windows.
        var window = new SteadyWindow(steps);
        for (int s = 0; s < steps; s++)
        {
            window.At(s);
            data.FillNormal(x.Floats, 1, 2);
            for (int i = 0; i < Batch; i++) labels[i] = (int)(data.NextDouble() * Classes);
            var outputs = step is null ? Body([x], labels, 0) : step.Run([x], labels);
            losses[s] = outputs[0].Item();
            optimizer.Step();
        }
        long trainAllocated = window.Allocated();
        model.Eval();
        window = new SteadyWindow(steps);
        var evals = new double[steps][];
        for (int s = 0; s < steps; s++)
        {
            window.At(s);
            data.FillNormal(x.Floats, 1, 2);
            var y = step is null ? Body([x], [], 1)[0] : step.Run([x], [], mode: 1)[0];
            if (s >= 2) continue;                                             // ToArray allocates: keep the first two
            evals[s] = y.ToArray();
        }
        long evalAllocated = window.Allocated();
        return (losses, evals[..2], model, step, trainAllocated, evalAllocated);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ReplayedStepsAreBitwiseTheEagerSteps(string kind)
    {
        var eager = Run(kind, capture: false, steps: 5);
        var replay = Run(kind, capture: true, steps: 5);
        Assert.Equal(2, replay.Step!.Captures);                                // one training tape, one evaluation tape
        Assert.True(replay.Step.LastReplayed);
        Assert.Equal(eager.Losses, replay.Losses);
        Assert.Equal(eager.Outputs, replay.Outputs);
        foreach (var (name, t) in eager.Model.StateDict())
            Assert.True(t.BitwiseEquals(replay.Model.StateDict()[name]), $"{kind}: {name} differs after replay");
        Assert.NotEqual(eager.Losses[0], eager.Losses[^1]);                   // it trained
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void SteadyStateReplayAllocatesNothing(string kind)
    {
        var replay = Run(kind, capture: true, steps: 8);
        Assert.Equal(0, replay.TrainAllocated);
        Assert.Equal(0, replay.EvalAllocated);
    }
}
