using Descent.Data;
using Descent.Nn;

namespace Descent.Tests.Nn;

/// <summary>Convolutional models in text form: the cnn shorthand, the conv and pooling layers, shapes, names and errors.</summary>
public class CnnSpecTests
{
    [Theory]
    [InlineData("cnn", "cnn")]
    [InlineData("CNN:32,64, fc=128, dropout=0.3", "cnn")]
    [InlineData("cnn:16,32,64,k=5,bn=false,fc=0,dropout=0", "cnn:16,32,64,k=5,bn=false,fc=0,dropout=0")]
    [InlineData("conv:32,k=3,p=1 bn relu maxpool:2 flatten linear", "conv:32,p=1 bn relu maxpool:2 flatten linear")]
    [InlineData("conv2d:8,k=5,s=2,p=same,d=1,g=1,bias=false avgpool:3,s=2,p=1 gap flatten linear", "conv:8,k=5,s=2,p=same,bias=false avgpool:3,s=2,p=1 gap flatten linear")]
    [InlineData("conv:8,init=xavier adaptiveavgpool:2,3 flatten linear", "conv:8,init=xavier adaptiveavgpool:2,3 flatten linear")]
    [InlineData("conv:8 adaptiveavgpool:1 flatten linear", "conv:8 gap flatten linear")]
    public void TextRoundTripsToItsCanonicalForm(string text, string canonical)
    {
        var spec = ModelSpec.Parse(text);
        Assert.Equal(canonical, spec.ToString());
        Assert.Equal(spec, ModelSpec.Parse(canonical));
    }

    [Fact]
    public void DefaultCnnIsThePeersModelWithPyTorchsNames()
    {
        // shared/anchors/torch_fmnist.py: Conv2d(1,32,3,p=1) BN ReLU MaxPool(2) Conv2d(32,64,3,p=1) BN ReLU MaxPool(2) Flatten Linear(3136,128) ReLU Dropout(0.3) Linear(128,10)
        var model = ModelSpec.Parse("cnn").Build([1, 28, 28], 10, new Rng(0));
        Assert.Equal([1, 28, 28], model.InputShape!);
        var state = model.StateDict();
        Assert.Equal([32, 1, 3, 3], state["0.weight"].ShapeArray);
        Assert.Equal([32], state["0.bias"].ShapeArray);
        Assert.Equal([32], state["1.running_mean"].ShapeArray);
        Assert.Equal([64, 32, 3, 3], state["4.weight"].ShapeArray);
        Assert.Equal([128, 64 * 7 * 7], state["9.weight"].ShapeArray);
        Assert.Equal([10, 128], state["12.weight"].ShapeArray);
        Assert.Equal(13, model.Count);
        Assert.Equal(320 + 64 + 18_496 + 128 + 401_536 + 1_290, model.ParameterCount);   // PyTorch's sum(p.numel()) for the peer's model: 421,834
    }

    [Fact]
    public void FlatBatchIsViewedAsImages()
    {
        var model = ModelSpec.Parse("cnn:4,8,fc=16").Build([1, 12, 12], 4, new Rng(1));
        model.Eval();
        var x = Tensor.Normal(new Rng(2), 0, 1, DType.Float32, 3, 144);                 // [3, 144]
        using var _ = Descent.Autograd.NoGrad();
        var flat = model.Forward(x);
        var images = model.Forward(x.Reshape(3, 1, 12, 12));
        Assert.Equal([3, 4], flat.ShapeArray);
        Assert.True(flat.BitwiseEquals(images));
    }

    [Fact]
    public void ShapesFlowThroughConvAndPooling()
    {
        var model = ModelSpec.Parse("conv:6,k=5,s=2,p=2 maxpool:3,s=2,p=1 conv:10,k=1 avgpool:2 flatten linear").Build([3, 32, 32], 7, new Rng(0));
        // conv 32 → ⌊(32 + 4 − 4 − 1)/2⌋ + 1 = 16; maxpool ⌊(16 + 2 − 2 − 1)/2⌋ + 1 = 8; conv 1×1: 8; avgpool 2: 4 → 10·4·4 = 160
        Assert.Equal([7, 160], model.StateDict()["5.weight"].ShapeArray);
    }

    [Theory]
    [InlineData("conv:32 flatten linear", "circles", "'conv:32' needs an image [channels, height, width], got [2] (the data's examples are [2], not images).")]
    [InlineData("linear:64 conv:8 flatten linear", "image", "'conv:8' needs an image [channels, height, width], got [64]; convolution and pooling layers go before 'flatten' and 'linear'.")]
    [InlineData("conv:8 linear", "image", "'linear' needs flat input [features], got [8, 10, 10]; put 'flatten' before it.")]
    [InlineData("maxpool:16 flatten linear", "image", "'maxpool:16' does not fit its input [1, 12, 12]: the window (k=16, d=1) is larger than the padded size 12.")]
    [InlineData("conv:6,g=4 flatten linear", "image", "'conv:6,g=4': groups=4 must divide the input channels (1) and the output channels (6).")]
    public void ModelsThatDoNotFitTheDataAreOneClearLine(string text, string data, string message)
    {
        int[] shape = data == "circles" ? [2] : [1, 12, 12];
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse(text).Build(shape, 4, new Rng(0)));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("conv flatten linear", "expected the output channels as a whole number ≥ 1, e.g. conv:32,k=3,p=1.")]
    [InlineData("conv:8,k=4,p=same flatten linear", "p=same needs an odd kernel size, got k=4.")]
    [InlineData("conv:8,s=0 flatten linear", "s=0; expected a whole number ≥ 1.")]
    [InlineData("maxpool:2,p=2 flatten linear", "padding p=2 must be at most half the window (1), as in PyTorch.")]
    [InlineData("gap:2 flatten linear", "gap (global average pooling) takes no value")]
    [InlineData("cnn:16,k=4", "k=4; expected an odd kernel size")]
    [InlineData("cnn:16,x", "'x' is not a channel count")]
    [InlineData("cnn:16,dropout=1", "dropout=1; expected a probability in [0, 1).")]
    public void BadTextIsOneLineQuotingTheBadPart(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSpec.Parse(text));
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"model '", e.Message);
    }

    [Fact]
    public void BarsAreLinesOfFourDirections()
    {
        var pair = DatasetSpec.Load("bars:n=8,noise=0,size=6", 3);
        Assert.Equal([1, 6, 6], pair.Train.FeatureShape);
        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 3], pair.Train.Labels);
        for (int i = 0; i < 8; i++)
        {
            var img = pair.Train.Row(i).ToArray();
            Assert.Equal(6, img.Count(v => v == 1f));                                     // one full line
            Assert.Equal(30, img.Count(v => v == 0f));
            int label = pair.Train.Labels[i];
            var rows = Enumerable.Range(0, 36).Where(k => img[k] == 1f).Select(k => k / 6).Distinct().Count();
            var cols = Enumerable.Range(0, 36).Where(k => img[k] == 1f).Select(k => k % 6).Distinct().Count();
            Assert.Equal(label == 0 ? (1, 6) : label == 1 ? (6, 1) : (6, 6), (rows, cols));
        }
        Assert.True(DatasetSpec.Load("bars:n=8", 3).Train.Features.AsSpan().SequenceEqual(DatasetSpec.Load("bars:n=8", 3).Train.Features));
        Assert.Contains("unknown option 'depth'", Assert.Throws<ArgumentException>(() => DatasetSpec.Load("bars:depth=3", 0)).Message);
    }
}
