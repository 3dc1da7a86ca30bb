using Descent.Init;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Init;

/// <summary>../shared/reference/pytorch/init.json: calculate_gain and the fans/bounds of torch.nn.init, 1e-10 relative.</summary>
public class InitReferenceTests
{
    private const double Tol = 1e-10;

    [Fact]
    public void GainsMatchPyTorch()
    {
        var g = Reference("init.json").GetProperty("gains");
        Close([g.GetProperty("linear").GetDouble()], [Gain.CalculateGain("linear")], Tol, what: "linear");
        Close([g.GetProperty("sigmoid").GetDouble()], [Gain.CalculateGain("sigmoid")], Tol, what: "sigmoid");
        Close([g.GetProperty("tanh").GetDouble()], [Gain.CalculateGain("tanh")], Tol, what: "tanh");
        Close([g.GetProperty("relu").GetDouble()], [Gain.CalculateGain("relu")], Tol, what: "relu");
        Close([g.GetProperty("leaky_relu_0.01").GetDouble()], [Gain.CalculateGain("leaky_relu", 0.01)], Tol, what: "leaky_relu");
        Close([g.GetProperty("selu").GetDouble()], [Gain.CalculateGain("selu")], Tol, what: "selu");
        Assert.Equal(Gain.CalculateGain("leaky_relu", 0.01), Gain.CalculateGain("leaky_relu"));
    }

    [Fact]
    public void UnknownNonlinearityListsTheNames()
    {
        var e = Assert.Throws<ArgumentException>(() => Gain.CalculateGain("swish"));
        Assert.Contains("'swish'", e.Message);
        Assert.Contains("leaky_relu", e.Message);
    }

    [Fact]
    public void FansAndScalesMatchPyTorchForLinearAndConvShapes()
    {
        foreach (var f in Reference("init.json").GetProperty("fans").EnumerateArray())
        {
            var shape = f.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var (fi, fo) = Fans.Of(shape);
            Assert.Equal(f.GetProperty("fan_in").GetInt32(), fi);
            Assert.Equal(f.GetProperty("fan_out").GetInt32(), fo);
            void Check(string key, double actual) => Close([f.GetProperty(key).GetDouble()], [actual], Tol, what: $"{key} {Shape.Format(shape)}");
            Check("xavier_uniform_bound", Math.Sqrt(3) * VarianceScaling.XavierUniform().StdFor(fi, fo));
            Check("xavier_normal_std", VarianceScaling.XavierNormal().StdFor(fi, fo));
            Check("kaiming_uniform_relu_fan_in_bound", Math.Sqrt(3) * VarianceScaling.HeUniform().StdFor(fi, fo));
            Check("kaiming_normal_relu_fan_in_std", VarianceScaling.HeNormal().StdFor(fi, fo));
            Check("kaiming_normal_relu_fan_out_std", VarianceScaling.HeNormal(mode: FanMode.FanOut).StdFor(fi, fo));
            Check("lecun_normal_std", VarianceScaling.LecunNormal().StdFor(fi, fo));
            Check("torch_linear_default_weight_bound", Math.Sqrt(3) * VarianceScaling.TorchDefault().StdFor(fi, fo));
        }
    }

    [Fact]
    public void FansOfAVectorAreAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => Fans.Of([7]));
        Assert.Contains("[7]", e.Message);
    }
}
