using System.Text.Json;

namespace Descent.Tests.Cli;

public class TrainCommandTests
{
    [Fact]
    public void JsonRunOnSyntheticDataRecordsAndCheckpoints()
    {
        var dir = Path.Combine(Path.GetTempPath(), "descent-train-" + Guid.NewGuid().ToString("N"));
        try
        {
            var db = Path.Combine(dir, "runs.db");
            var (exit, stdout, stderr) = CliRunner.Run("train", "--data", "xor", "--hidden", "8", "--epochs", "3", "--db", db, "--json");
            Assert.True(exit == 0, stderr);
            var doc = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(3, doc.GetProperty("epochs").GetArrayLength());
            Assert.InRange(doc.GetProperty("test_accuracy").GetDouble(), 0, 1);
            long id = doc.GetProperty("run_id").GetInt64();
            var ck = doc.GetProperty("checkpoint").GetString()!;
            Assert.True(File.Exists(Path.Combine(ck, "model.safetensors")));
            var (e2, show, _) = CliRunner.Run("runs", "show", id.ToString(), "--db", db, "--json");
            Assert.Equal(0, e2);
            Assert.Contains("finished", show);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("--activation", "swish")]
    [InlineData("--optimizer", "adamm")]
    [InlineData("--init", "hee")]
    [InlineData("--data", "cifar")]
    [InlineData("--hidden", "12,x")]
    [InlineData("--batch-size", "0")]
    public void UnknownOptionValueIsExitOneWithOneLine(string option, string value)
    {
        var (exit, _, stderr) = CliRunner.Run("train", option, value, "--data", option == "--data" ? value : "xor", "--epochs", "1", "--db", Path.Combine(Path.GetTempPath(), "descent-bad-" + Guid.NewGuid().ToString("N") + ".db"));
        Assert.Equal(1, exit);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
