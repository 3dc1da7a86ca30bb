using System.Runtime.CompilerServices;

namespace Descent.Tests.Docs;

/// <summary>The code blocks of docs/*.md are the bodies of these tests, kept identical by <see cref="DocMatchesTest"/>.</summary>
public class DocExampleTests
{
    [Fact]
    public void AutogradExample()
    {
        // doc:autograd begin
        var rng = new Rng(seed: 0);
        var x = Tensor.Normal(rng, 0, 1, DType.Float64, 4, 3);          // [batch, in]
        var w = Tensor.Normal(rng, 0, 0.5, DType.Float64, 2, 3);        // [out, in], PyTorch's layout
        var b = Tensor.Zeros(DType.Float64, 2);                         // [out]
        w.RequiresGrad = b.RequiresGrad = true;

        var logits = x.Linear(w, b);                                    // x·Wᵀ + b   [batch, out]
        var loss = logits.LogSoftmax(1).Gather([0, 1, 1, 0]).Mean().Neg(); // cross-entropy
        loss.Backward();

        // w.Grad [2, 3] and b.Grad [2] now hold ∂loss/∂W and ∂loss/∂b.
        var check = GradCheck.Check(() => x.Linear(w, b).LogSoftmax(1).Gather([0, 1, 1, 0]).Mean().Neg(), [w, b]);
        // every check[i].RelativeDifference is ~1e-10: backprop agrees with central differences.
        // doc:autograd end
        Assert.Equal(new[] { 2, 3 }, w.Grad!.ShapeArray);
        Assert.All(check, r => Assert.True(r.RelativeDifference < 1e-8));
    }

    [Theory]
    [InlineData("autograd.md", "autograd")]
    public void DocMatchesTest(string doc, string region)
    {
        var code = Region(ThisFile(), region);
        var text = File.ReadAllText(Path.Combine(RepoRoot(), "docs", doc)).Replace("\r", "");
        var block = text.Split("```csharp\n")[1].Split("```")[0];
        Assert.Equal(Normalize(code), Normalize(block));
    }

    private static string Region(string file, string name)
    {
        var lines = File.ReadAllLines(file);
        int start = Array.FindIndex(lines, l => l.Trim() == $"// doc:{name} begin");
        int end = Array.FindIndex(lines, l => l.Trim() == $"// doc:{name} end");
        return string.Join("\n", lines[(start + 1)..end]);
    }

    private static string Normalize(string s) =>
        string.Join("\n", s.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static string RepoRoot() => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", ".."));
}
