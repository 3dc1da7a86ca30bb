using System.Text.Json;
using Descent.Storage;
using Descent.Tests.Data;

namespace Descent.Tests.Cli;

public class RunsCommandTests
{
    private static (TempDir Tmp, string Db, long Id) Seeded()
    {
        var tmp = new TempDir();
        string db = tmp.File("descent.db");
        using var store = RunStore.Open(db);
        long id = store.CreateRun("""{"dataset":"moons","lr":0.1}""", "moons-mlp");
        store.AddEpoch(id, 0, new Dictionary<string, double> { ["train_loss"] = 0.6, ["val_accuracy"] = 0.8 });
        store.AddEpoch(id, 1, new Dictionary<string, double> { ["train_loss"] = 0.3, ["val_accuracy"] = 0.9 });
        store.Finish(id, RunStatus.Finished, """{"test_accuracy":0.88}""", tmp.File("ckpt"));
        return (tmp, db, id);
    }

    [Fact]
    public void ListJsonIsOneDocument()
    {
        var (tmp, db, id) = Seeded();
        using var _ = tmp;
        var (exit, stdout, stderr) = CliRunner.Run("runs", "list", "--db", db, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var run = doc.RootElement.GetProperty("runs")[0];
        Assert.Equal(id, run.GetProperty("id").GetInt64());
        Assert.Equal("finished", run.GetProperty("status").GetString());
        Assert.Equal(2, run.GetProperty("epochs").GetInt32());
        Assert.Equal(0.9, run.GetProperty("last_metrics").GetProperty("val_accuracy").GetDouble());
    }

    [Fact]
    public void ShowJsonAndTable()
    {
        var (tmp, db, id) = Seeded();
        using var _ = tmp;
        var (exit, stdout, _) = CliRunner.Run("runs", "show", id.ToString(), "--db", db, "--json");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("moons", doc.RootElement.GetProperty("config").GetProperty("dataset").GetString());
        Assert.Equal(0.88, doc.RootElement.GetProperty("results").GetProperty("test_accuracy").GetDouble());
        Assert.Equal(2, doc.RootElement.GetProperty("epochs").GetArrayLength());
        var (exit2, table, _) = CliRunner.Run("runs", "show", id.ToString(), "--db", db);
        Assert.Equal(0, exit2);
        Assert.Contains("val_acc", table);   // headers are shortened to fit 80 columns
        Assert.Contains("moons-mlp", table);
        var (exit3, list, _) = CliRunner.Run("runs", "list", "--db", db);
        Assert.Equal(0, exit3);
        Assert.Contains("finished", list);
    }

    [Fact]
    public void MissingDatabaseListsNothingAndCreatesNothing()
    {
        using var tmp = new TempDir();
        string db = tmp.File("none/descent.db");
        var (exit, stdout, _) = CliRunner.Run("runs", "list", "--db", db, "--json");
        Assert.Equal(0, exit);
        Assert.Equal(0, JsonDocument.Parse(stdout).RootElement.GetProperty("runs").GetArrayLength());
        Assert.False(File.Exists(db));
    }

    [Theory]
    [InlineData("runs", "show", "999")]
    [InlineData("runs", "list", "--limit", "0")]
    [InlineData("runs", "show", "abc")]
    public void UserErrorsAreExitOneWithOneLine(params string[] args)
    {
        var (tmp, db, _) = Seeded();
        using var _ = tmp;
        var (exit, _, stderr) = CliRunner.Run([.. args, "--db", db]);
        Assert.Equal(1, exit);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(120)]
    public void ListAndShowFitTheWidthWithWholeHeadersAndOneEpochColumn(int width)
    {
        using var tmp = new TempDir();
        string db = tmp.File("descent.db");
        using (var store = RunStore.Open(db))
        {
            long id = store.CreateRun("""{"data":"circles","hidden":[256,128],"optimizer":"adam:lr=1e-3","validation":0.2}""");
            for (int e = 0; e < 3; e++)
                store.AddEpoch(id, e, new Dictionary<string, double>
                {
                    ["epoch"] = e + 1, ["train_loss"] = 0.3121, ["train_accuracy"] = 0.887, ["val_loss"] = 0.3345, ["val_accuracy"] = 0.8801,
                    ["learning_rate"] = 9.549e-05, ["samples_per_second"] = 61234.5, ["seconds"] = 0.98, ["gradient_norm"] = 1.25,
                }, tmp.File("a-rather-long-checkpoint-folder-name/run-1"));
            store.Finish(id, RunStatus.Diverged, """{"test_loss":0.3,"test_accuracy":0.88}""", tmp.File("ck"), "training diverged at step 9");
        }
        foreach (var args in new[] { new[] { "runs", "list", "--db", db }, ["runs", "show", "1", "--db", db] })
        {
            var (exit, stdout, stderr) = CliRunner.RunAt(width, args);
            Assert.True(exit == 0, stderr);
            var lines = stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
            Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}\n{stdout}"));
            Assert.Contains(lines, l => l.Contains("│ diverged │") || l.Contains("status      diverged"));   // never "diverg|ed"
            Assert.Contains("train_loss", stdout);
            Assert.DoesNotContain("E-0", stdout);
            if (args[1] == "show")
            {
                Assert.Single(lines, l => l.Contains("│ epoch"));
                Assert.DoesNotContain("│ epoch │ epoch", stdout);
                Assert.DoesNotContain("{", stdout);   // settings as "key value", not raw JSON
                Assert.Contains("hidden 256,128", stdout);
                Assert.Contains("9.549e-05", stdout);
                Assert.Equal(3, lines.Count(l => l.Contains("0.3121")));
            }
        }
    }
}
