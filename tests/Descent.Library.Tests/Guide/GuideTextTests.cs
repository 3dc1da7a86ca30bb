using System.Runtime.CompilerServices;

namespace Descent.Library.Tests.Guide;

/// <summary>
/// docs/library.md's ```csharp blocks are, in order, exactly the <c>// guide:NAME</c> regions of <see cref="GuideTests"/>:
/// a block edited, added or removed in the guide without its test (or the reverse) fails here, and the tests compile and run
/// the code, so the guide cannot rot.
/// </summary>
public class GuideTextTests
{
    [Fact]
    public void EveryCodeBlockOfTheGuideIsATestRegion()
    {
        var guide = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "library.md")).Replace("\r", "");
        var blocks = guide.Split("```csharp\n").Skip(1).Select(b => Normalize(b[..b.IndexOf("```", StringComparison.Ordinal)])).ToList();
        var regions = Regions(Path.Combine(Path.GetDirectoryName(ThisFile())!, "GuideTests.cs")).Select(Normalize).ToList();
        Assert.True(blocks.Count >= 8, $"the guide has {blocks.Count} csharp blocks; expected the 8 programs and more");
        Assert.Equal(regions.Count, blocks.Count);
        for (int i = 0; i < blocks.Count; i++) Assert.Equal(regions[i], blocks[i]);
    }

    private static List<string> Regions(string file)
    {
        var lines = File.ReadAllLines(file);
        var regions = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].Trim().StartsWith("// guide:", StringComparison.Ordinal) || !lines[i].Trim().EndsWith(" begin", StringComparison.Ordinal)) continue;
            string end = lines[i].Trim()[..^" begin".Length] + " end";
            int j = Array.FindIndex(lines, i + 1, l => l.Trim() == end);
            regions.Add(string.Join("\n", lines[(i + 1)..j]));
            i = j;
        }
        return regions;
    }

    /// <summary>Indentation and blank lines aside, the same text.</summary>
    private static string Normalize(string s) => string.Join("\n", s.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static string RepoRoot() => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", ".."));
}
