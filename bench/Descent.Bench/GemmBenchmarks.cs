using BenchmarkDotNet.Attributes;
using Descent.Kernels;

namespace Descent.Bench;

/// <summary>
/// GEMM on the shapes of one MLP 784-256-128-10 training step at batch 128 and on 1024³, float32,
/// through <see cref="FastKernels"/> (so argument checks and the worker pool are included).
/// The memory diagnoser must report 0 B allocated per operation.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [], _bias = [];

    /// <summary>"m×n×k" plus the transposes: NN, NT (x·Wᵀ), TN (Gᵀ·x).</summary>
    [Params("128x256x784 NT", "128x128x256 NT", "256x784x128 TN", "128x784x256 NN", "1024x1024x1024 NN")]
    public string Shape { get; set; } = "";

    /// <summary>Threads the kernel may use.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    private int _m, _n, _k;
    private bool _ta, _tb;

    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split(' ');
        var dims = parts[0].Split('x').Select(int.Parse).ToArray();
        (_m, _n, _k) = (dims[0], dims[1], dims[2]);
        (_ta, _tb) = (parts[1][0] == 'T', parts[1][1] == 'T');
        var rng = new Rng(1);
        _a = Fill(rng, _m * _k); _b = Fill(rng, _k * _n); _c = new float[_m * _n]; _bias = Fill(rng, _n);
        Threading.MaxThreads = Threads;
    }

    private static float[] Fill(Rng rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)rng.NextNormal();
        return x;
    }

    /// <summary>C = op(A)·op(B).</summary>
    [Benchmark]
    public void Gemm() => FastKernels.Instance.Gemm(_ta, _tb, _m, _n, _k, 1f, _a, _ta ? _m : _k, _b, _tb ? _k : _n, 0f, _c, _n);

    /// <summary>C = relu(op(A)·op(B) + bias): a linear layer's forward pass in one call.</summary>
    [Benchmark]
    public void GemmBiasRelu() => FastKernels.Instance.Gemm(_ta, _tb, _m, _n, _k, 1f, _a, _ta ? _m : _k, _b, _tb ? _k : _n, 0f, _c, _n, _bias, GemmActivation.Relu);
}
