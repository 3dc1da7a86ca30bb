using Descent.Init;

namespace Descent.Tests.Init;

public class InitializerSpecTests
{
    [Theory]
    [InlineData("zeros", "zeros")]
    [InlineData("ones", "ones")]
    [InlineData("constant:0.5", "constant:0.5")]
    [InlineData("normal:0.01", "normal:0.01")]
    [InlineData("normal:1,0.1", "normal:1,0.1")]
    [InlineData("uniform:-0.1,0.1", "uniform:-0.1,0.1")]
    [InlineData("uniform:0.2", "uniform:-0.2,0.2")]
    [InlineData("xavier", "xavier")]
    [InlineData("Glorot_Uniform", "xavier")]
    [InlineData("xavier-normal", "xavier-normal")]
    [InlineData("xavier:2", "xavier:2")]
    [InlineData("he", "he")]
    [InlineData("kaiming_normal", "he")]
    [InlineData("he-uniform", "he-uniform")]
    [InlineData("he:fan_out", "he:fan_out")]
    [InlineData("he-uniform:fan_in,0.2", "he-uniform:fan_in,0.2")]
    [InlineData("he:0.2", "he:fan_in,0.2")]
    [InlineData("lecun", "lecun")]
    [InlineData("lecun-uniform", "lecun-uniform")]
    [InlineData("orthogonal", "orthogonal")]
    [InlineData("orthogonal:1.5", "orthogonal:1.5")]
    [InlineData("torch", "torch")]
    public void ParsesAndRoundTrips(string text, string canonical)
    {
        var init = Initializer.Parse(text);
        Assert.Equal(canonical, init.ToString());
        Assert.Equal(canonical, Initializer.Parse(init.ToString()).ToString());
    }

    [Theory]
    [InlineData("glorious", "unknown initializer")]
    [InlineData("normal", "takes 1 to 2")]
    [InlineData("normal:abc", "'abc' is not a number")]
    [InlineData("normal:-1", "std must be")]
    [InlineData("uniform:1,0", "low ≤ high")]
    [InlineData("zeros:1", "takes 0")]
    [InlineData("he:fan_avg", "'fan_avg' is not a number")]
    [InlineData("xavier:", "argument is missing")]
    public void BadTextNamesTheProblemAndListsTheNames(string text, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => Initializer.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains(why, e.Message);
        Assert.Contains("xavier", e.Message);
        Assert.Contains("he-uniform", e.Message);
    }
}
