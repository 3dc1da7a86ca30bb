using System.Text.Json;

namespace Descent.Tests.Cli;

public class LabCommandTests
{
    /// <summary>The report never replaces a file it did not write: a user's figure of the same name, or a user's index.html.</summary>
    [Fact]
    public void LabKeepsFilesItDidNotWrite()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-lab-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "descend-bowl.svg"), "mine");
            var (exit, _, stderr) = CliRunner.Run("lab", "descend", "--out", dir);
            Assert.Equal(1, exit);
            Assert.Contains("descend-bowl.svg was not written by this report, and it is kept", stderr);
            Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "descend-bowl.svg")));
            Assert.Equal(["descend-bowl.svg"], Directory.GetFiles(dir).Select(Path.GetFileName));   // nothing written beside it

            File.Delete(Path.Combine(dir, "descend-bowl.svg"));
            File.WriteAllText(Path.Combine(dir, "index.html"), "my page");
            (exit, _, stderr) = CliRunner.Run("lab", "descend", "--out", dir);
            Assert.Equal(1, exit);
            Assert.Contains("is not a Descent report", stderr);
            Assert.Equal("my page", File.ReadAllText(Path.Combine(dir, "index.html")));

            // Its own report it updates: a second run replaces its own figures.
            File.Delete(Path.Combine(dir, "index.html"));
            Assert.Equal(0, CliRunner.Run("lab", "descend", "--out", dir).Exit);
            Assert.Equal(0, CliRunner.Run("lab", "descend", "--out", dir).Exit);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void DescendJsonIsOneDocumentAndTheReportLinksEveryFigure()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-lab-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, stdout, stderr) = CliRunner.Run("lab", "descend", "--json", "--out", dir);
            Assert.True(exit == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            var runs = doc.RootElement.GetProperty("result").GetProperty("runs");
            Assert.Contains(runs.EnumerateArray(), r => r.GetProperty("status_text").GetString() == "diverged");
            var figures = doc.RootElement.GetProperty("figures").EnumerateArray().Select(f => f.GetString()!).ToList();
            Assert.Equal(9, figures.Count);
            string html = File.ReadAllText(Path.Combine(dir, "index.html"));
            foreach (var f in figures)
            {
                Assert.True(File.Exists(f), f);
                Assert.Contains($"href=\"{Path.GetFileName(f)}\"", html);
            }
            // A second command adds its figures to the same page.
            var (exit2, _, err2) = CliRunner.Run("lab", "schedules", "--json", "--out", dir, "--epochs", "10");
            Assert.True(exit2 == 0, err2);
            html = File.ReadAllText(Path.Combine(dir, "index.html"));
            Assert.Contains("descend-bowl.svg", html);
            Assert.Contains("schedules-epochs-10-decays-of-the-notes.svg", html);   // a run with other options gets its own files and section
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadWidthsAreAUserErrorQuotingTheValue()
    {
        var (exit, _, stderr) = CliRunner.Run("lab", "init", "--widths", "500,abc", "--out", Path.GetTempPath());
        Assert.Equal(1, exit);
        Assert.Contains("'abc'", stderr);
    }
}
