using System.Text.Json;

namespace Descent.Tests.Cli;

public sealed class TuneCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "descent-tune-" + Guid.NewGuid().ToString("N"));
    private string Db => Path.Combine(_dir, "descent.db");

    public void Dispose()
    {
        try { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public void TuneThenShowGivesTheBestTrialTableJsonAndFigures()
    {
        var (exit, stdout, stderr) = CliRunner.Run("tune", "--study", "q", "--objective", "quadratic", "--trials", "16", "--parallel", "2",
            "--sampler", "tpe", "--pruner", "median", "--rounds", "2", "--db", Db, "--json", "--seed", "3");
        Assert.True(exit == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            var r = doc.RootElement;
            Assert.Equal(16, r.GetProperty("trials").GetInt32());
            Assert.Equal(16, r.GetProperty("complete").GetInt32() + r.GetProperty("pruned").GetInt32());
            Assert.True(r.GetProperty("best").GetProperty("params").TryGetProperty("lr", out _));
        }
        (exit, stdout, stderr) = CliRunner.Run("tune", "show", "q", "--db", Db, "--json", "--top", "3", "--out", Path.Combine(_dir, "report"));
        Assert.True(exit == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            var r = doc.RootElement;
            Assert.Equal(3, r.GetProperty("summary").GetProperty("top").GetArrayLength());
            var files = r.GetProperty("figures").EnumerateArray().Select(f => f.GetString()!).ToList();
            Assert.Equal(6, files.Count); // lr, momentum, hidden, batch-size, best so far, index.html
            Assert.Contains("tune-q-best-so-far.svg", File.ReadAllText(files.Single(f => f.EndsWith("index.html"))));
            foreach (var svg in files.Where(f => f.EndsWith(".svg")))
            {
                var text = File.ReadAllText(svg);
                Assert.Contains("<svg", text);
                Assert.Contains("<circle", text);
                Assert.Contains("complete", text);
            }
            Assert.Contains("best so far", File.ReadAllText(files.Single(f => f.EndsWith("best-so-far.svg"))));
        }
        (exit, stdout, _) = CliRunner.Run("tune", "show", "q", "--db", Db, "--no-figures");
        Assert.Equal(0, exit);
        Assert.Contains("Best: trial", stdout);
    }

    [Fact]
    public void SpaceFileAndGridSampler()
    {
        Directory.CreateDirectory(_dir);
        var space = Path.Combine(_dir, "space.json");
        File.WriteAllText(space, """{ "x1": { "type": "uniform", "low": -5, "high": 10 }, "x2": { "type": "uniform", "low": 0, "high": 15 } }""");
        var (exit, stdout, stderr) = CliRunner.Run("tune", "--study", "b", "--objective", "branin", "--space", space, "--trials", "9",
            "--sampler", "grid", "--grid-points", "3", "--db", Db, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(9, doc.RootElement.GetProperty("complete").GetInt32());
    }

    [Fact]
    public void PandaRunsAndResumesWithAChangedLearningRate()
    {
        var (exit, stdout, stderr) = CliRunner.Run("tune", "panda", "--study", "p", "--objective", "quadratic", "--set", "lr=0.2", "--epochs", "3", "--db", Db, "--json");
        Assert.True(exit == 0, stderr);
        Assert.Equal(3, JsonDocument.Parse(stdout).RootElement.GetProperty("curve").GetArrayLength());
        (exit, stdout, stderr) = CliRunner.Run("tune", "panda", "--study", "p", "--objective", "quadratic", "--resume", "0", "--set", "lr=0.003", "--epochs", "2", "--db", Db, "--json");
        Assert.True(exit == 0, stderr);
        var r = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(0, r.GetProperty("trial").GetProperty("resumed_from").GetInt32());
        Assert.Equal(0.003, r.GetProperty("trial").GetProperty("params").GetProperty("lr").GetDouble());
        Assert.Equal(4, r.GetProperty("curve")[0].GetProperty("epoch").GetInt32());
    }

    [Theory]
    [InlineData("--sampler", "bayes", "--sampler")]
    [InlineData("--pruner", "hyperband", "--pruner")]
    [InlineData("--objective", "rosenbrock", "--objective")]
    public void BadValuesAreExitOneWithOneLine(string option, string value, string expected)
    {
        var args = new List<string> { "tune", "--study", "bad", "--db", Db, "--objective", "quadratic" };
        if (option == "--objective") args.RemoveRange(args.Count - 2, 2);
        args.AddRange([option, value]);
        var (exit, _, stderr) = CliRunner.Run([.. args]);
        Assert.Equal(1, exit);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void WithoutASpaceTheTrainerSearchesTheLearningRate()
    {
        var (exit, stdout, stderr) = CliRunner.Run("tune", "--study", "t", "--objective", "train:moons:n=200", "--trials", "2", "--epochs", "1", "--db", Db, "--json");
        Assert.True(exit == 0, stderr);
        Assert.Contains("\"lr\"", stdout);
    }

    [Fact]
    public void PandaBabysitsATrainerTrialAndResumesItWithANewLearningRate()
    {
        var (exit, stdout, stderr) = CliRunner.Run("tune", "panda", "--study", "p", "--objective", "train:moons:n=200", "--set", "lr=0.001", "--epochs", "2", "--db", Db, "--json");
        Assert.True(exit == 0, stderr);
        Assert.Contains("curve", stdout);
        var (exit2, stdout2, stderr2) = CliRunner.Run("tune", "panda", "--study", "p", "--objective", "train:moons:n=200", "--resume", "0", "--set", "lr=0.01", "--epochs", "4", "--db", Db, "--json");
        Assert.True(exit2 == 0, stderr2);
        Assert.Contains("0.01", stdout2);
    }

    [Fact]
    public void TheTrainerIsTheObjectiveOnARealDataSet()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Db)!);
        var space = Path.Combine(Path.GetDirectoryName(Db)!, "space-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(space, """{ "lr": { "type": "log_uniform", "low": 1e-3, "high": 0.1 } }""");
        var (exit, stdout, stderr) = CliRunner.Run("tune", "--study", "real", "--objective", "train:moons:n=300", "--space", space, "--trials", "3", "--epochs", "2", "--db", Db, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Contains("val_loss", stdout);
    }

    [Fact]
    public void ShowOfAnUnknownStudyNamesTheKnownOnes()
    {
        CliRunner.Run("tune", "--study", "known", "--objective", "branin", "--trials", "2", "--db", Db, "--json");
        var (exit, _, stderr) = CliRunner.Run("tune", "show", "unknown", "--db", Db);
        Assert.Equal(1, exit);
        Assert.Contains("known", stderr);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(120)]
    public void TheTablesFitTheWidth(int width)
    {
        var (exit, stdout, stderr) = CliRunner.RunAt(width, "tune", "--study", "w", "--objective", "quadratic", "--trials", "4", "--epochs", "2", "--db", Db);
        Assert.True(exit == 0, stderr);
        (exit, var shown, stderr) = CliRunner.RunAt(width, "tune", "show", "w", "--db", Db, "--no-figures");
        Assert.True(exit == 0, stderr);
        foreach (var line in (stdout + shown).Split('\n'))
            Assert.True(line.TrimEnd().Length <= width, $"{line.TrimEnd().Length} > {width}: {line}");
        Assert.Contains("batch-size", shown);   // a whole header, not "batch-|size"
        Assert.DoesNotContain("E-0", stdout + shown);
        Assert.Contains("after 2 epochs", stdout);
    }

    [Fact]
    public void AnUnknownParameterStopsTheStudyBeforeItStarts()
    {
        string space = Path.Combine(_dir, "space.json");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(space, """{"lrr": {"type": "log_uniform", "low": 1e-4, "high": 1}}""");
        var r = CliRunner.Run("tune", "--study", "u", "--objective", "train:xor", "--space", space, "--trials", "3", "--db", Db);
        Assert.Contains("'lrr' is not a train option", FaultTests.AssertOneLine(r));
        Assert.False(File.Exists(Db));   // nothing stored, no trial run
    }
}
