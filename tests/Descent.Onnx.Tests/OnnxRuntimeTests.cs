using Descent.Nn;
using Descent.Tests;
using Descent.Tests.Data;
using Xunit.Abstractions;

namespace Descent.Onnx.Tests;

/// <summary>
/// Models exported by <c>descent export --onnx</c> / <see cref="OnnxExport"/> run in ONNX Runtime and give Descent's
/// outputs: the largest difference of the logits on the test set ≤ 1e-5 (relative to the largest |logit| when that is
/// above 1: two float32 matrix products that add in different orders differ by a few units in the last place, and
/// one unit at 27 is 1.9e-6) and the same arg-max for every row.
/// </summary>
public class OnnxRuntimeTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private void Check(string what, Agreement a)
    {
        output.WriteLine($"{what}: {a}");
        Assert.True(a.MaxDifference <= Tolerance * Math.Max(1, a.MaxMagnitude), $"{what}: {a}");
        Assert.True(a.ArgMaxDisagreements == 0, $"{what}: {a}");
    }

    [FashionMnistFact]
    public void DefaultMlpOnFashionMnist()
    {
        using var tmp = new TempDir();
        var model = OnnxHarness.Train(tmp.Path, "train", "--epochs", "1");
        Check("default MLP (mlp:256,128), Fashion-MNIST test set", OnnxHarness.ExportAndCompare(tmp.Path, model));
    }

    [FashionMnistFact]
    public void BatchNormResidualMlpOnFashionMnist()
    {
        using var tmp = new TempDir();
        var model = OnnxHarness.Train(tmp.Path, "train", "--epochs", "1", "--model", "mlp:128,128,64,bn=true,residual=true,dropout=0.1");
        Check("BN/residual MLP (mlp:128,128,64,bn=true,residual=true,dropout=0.1), Fashion-MNIST test set", OnnxHarness.ExportAndCompare(tmp.Path, model));
    }

    [Fact]
    public void BatchNormResidualGeluMlpOnCircles()
    {
        using var tmp = new TempDir();
        var model = OnnxHarness.Train(tmp.Path, "train", "--data", "circles", "--epochs", "3", "--model", "mlp:32,32,16,act=gelu,bn=true,residual=true,dropout=0.2");
        Check("mlp:32,32,16,act=gelu,bn=true,residual=true,dropout=0.2 on circles", OnnxHarness.ExportAndCompare(tmp.Path, model));
    }

    [Fact]
    public void SmallCnnOnBars()
    {
        using var tmp = new TempDir();
        var model = OnnxHarness.Train(tmp.Path, "train", "--data", "bars", "--epochs", "2", "--model", "cnn:8,16,fc=32");
        Check("cnn:8,16,fc=32 (Conv2d, BatchNorm2d, MaxPool2d, Flatten, dropout) on bars", OnnxHarness.ExportAndCompare(tmp.Path, model));
    }

    [Fact]
    public void CnnWithEveryConvolutionAndPoolingOption()
    {
        using var tmp = new TempDir();
        // stride, padding, dilation, groups, no bias, average pooling with padding, adaptive pooling (3 × 3 from 4 × 4:
        // the averaging-matrix form), global pooling, ELU and dropout.
        var model = OnnxHarness.Train(tmp.Path, "train", "--data", "bars", "--epochs", "1", "--model",
            "conv:8,k=3,p=1 bn relu maxpool:2 conv:8,k=3,p=2,d=2,g=2,bias=false avgpool:2,p=1 leaky_relu adaptiveavgpool:3 " +
            "conv:6,k=2,s=2,p=1 tanh gap flatten linear:16 elu dropout:0.3 linear");
        Check("every Conv2d/pooling option on bars", OnnxHarness.ExportAndCompare(tmp.Path, model));
    }

    public static TheoryData<string> Activations => new() { "relu", "tanh", "sigmoid", "leaky_relu:0.2", "elu:0.5", "gelu", "identity", "softmax" };

    [Theory]
    [MemberData(nameof(Activations))]
    public void EveryActivationFromTheLibrary(string activation)
    {
        using var tmp = new TempDir();
        var rng = new Rng(7);
        var model = new Sequential(new Linear(5, 16, rng), Activation.Create(activation), new Linear(16, 3, rng));
        var x = Tensor.Normal(rng, 0, 2, DType.Float32, 64, 5);
        string path = tmp.File("act.onnx");
        OnnxExport.Save(model, path, [5]);
        model.Eval();
        float[] expected;
        using (Autograd.NoGrad()) expected = model.Forward(x).ToFloatArray();
        var actual = OnnxHarness.Run(path, x.ToFloatArray(), [5], output: "output");
        Check(activation, OnnxHarness.Compare(expected, actual, 3));
    }

    [Fact]
    public void Float64ModelIsWrittenInFloat32()
    {
        using var tmp = new TempDir();
        var rng = new Rng(3);
        var model = Mlp.Create([6, 12, 4], "tanh", null, batchNorm: true, dropout: 0, rng, DType.Float64);
        string path = tmp.File("f64.onnx");
        OnnxExport.Save(model, path, [6]);
        var x = Tensor.Normal(rng, 0, 1, DType.Float32, 32, 6);
        model.Eval();
        float[] expected;
        using (Autograd.NoGrad()) expected = model.Forward(x.To(DType.Float64)).ToFloatArray();
        Check("float64 MLP", OnnxHarness.Compare(expected, OnnxHarness.Run(path, x.ToFloatArray(), [6], output: "output"), 4));
    }

    [Fact]
    public void BatchOfAnySizeRuns()
    {
        using var tmp = new TempDir();
        var model = Mlp.Create([3, 8, 2], "relu", null, false, 0, new Rng(1));
        string path = tmp.File("m.onnx");
        OnnxExport.Save(model, path, [3]);
        foreach (int rows in new[] { 1, 7, 300 })
            Assert.Equal(rows * 2, OnnxHarness.Run(path, new float[rows * 3], [3], output: "output").Length);
    }

    [Fact]
    public void AForeignFileIsNotOverwrittenAndOurOwnIs()
    {
        using var tmp = new TempDir();
        var model = Mlp.Create([3, 2], "relu", null, false, 0, new Rng(1));
        string foreign = tmp.File("notes.onnx");
        File.WriteAllText(foreign, "someone else's file");
        var e = Assert.Throws<IOException>(() => OnnxExport.Save(model, foreign, [3]));
        Assert.Contains("not an ONNX file written by Descent", e.Message);
        Assert.Equal("someone else's file", File.ReadAllText(foreign));
        string own = tmp.File("m.onnx");
        OnnxExport.Save(model, own, [3]);
        OnnxExport.Save(Mlp.Create([3, 4, 2], "relu", null, false, 0, new Rng(2)), own, [3]);
        Assert.True(OnnxExport.IsOwnFile(own));
    }

    [Fact]
    public void AModuleWithoutOnnxFormIsRefusedByName()
    {
        var model = new Sequential(new Linear(3, 3, new Rng(1)), new Unknown());
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model, [3]));
        Assert.Contains("layer '1' is Unknown", e.Message);
    }

    private sealed class Unknown : Module
    {
        public override Tensor Forward(Tensor x) => x;
    }

    [PythonFact("onnx")]
    public void OnnxCheckerAcceptsTheFiles()
    {
        using var tmp = new TempDir();
        var rng = new Rng(5);
        var files = new Dictionary<string, Module>
        {
            ["mlp.onnx"] = ModelSpec.Parse("mlp:16,16,8,act=gelu,bn=true,residual=true,dropout=0.1").Build([10], 3, rng),
            ["cnn.onnx"] = ModelSpec.Parse("conv:4,p=1 bn relu maxpool:2 conv:4,d=2,g=2,p=2 avgpool:2,p=1 adaptiveavgpool:3 flatten linear:8 elu linear").Build([1, 12, 12], 4, rng),
        };
        foreach (var (name, m) in files) OnnxExport.Save(m, tmp.File(name), name == "cnn.onnx" ? [1, 12, 12] : [10]);
        var psi = new System.Diagnostics.ProcessStartInfo(PythonFactAttribute.Python,
            ["-c", "import onnx, sys\nfor f in sys.argv[1:]:\n    m = onnx.load(f)\n    onnx.checker.check_model(m, full_check=True)\n    print(f, m.opset_import[0].version, 'ok')", .. files.Keys.Select(tmp.File)])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var proc = System.Diagnostics.Process.Start(psi)!;
        string stdout = proc.StandardOutput.ReadToEnd(), stderr = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        output.WriteLine(stdout);
        Assert.True(proc.ExitCode == 0, stderr);
        Assert.Equal(2, stdout.Split('\n').Count(l => l.EndsWith(" 17 ok", StringComparison.Ordinal)));
    }
}
