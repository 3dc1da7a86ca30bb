namespace Descent.Tests.Docs;

/// <summary>The README shows the consumer sample's code as it is: the C# block after "Its `Program.cs`:" is samples/TrainCsv/Program.cs.</summary>
public class ReadmeSampleTests
{
    [Fact]
    public void ReadmeShowsTheSampleAsItIs()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Descent.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        string readme = File.ReadAllText(Path.Combine(root.FullName, "README.md")).Replace("\r\n", "\n");
        string sample = File.ReadAllText(Path.Combine(root.FullName, "samples", "TrainCsv", "Program.cs")).Replace("\r\n", "\n");
        string after = readme.Split("Its `Program.cs`:\n", 2) is [_, var rest] ? rest : throw new Xunit.Sdk.XunitException("README.md lacks \"Its `Program.cs`:\".");
        string block = after.Split("```csharp\n", 2)[1].Split("```", 2)[0];
        Assert.Equal(sample, block);
    }
}
