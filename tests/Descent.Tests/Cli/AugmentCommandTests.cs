using System.Text.Json;

namespace Descent.Tests.Cli;

/// <summary><c>descent train --augment</c>: shown in the run's JSON, refused on data that are not images, and resumed bitwise after SIGKILL.</summary>
public class AugmentCommandTests
{
    [Fact]
    public void AugmentationIsInTheJsonAndTheRunRecord()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-aug-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, stdout, stderr) = CliRunner.Run("train", "--data", "bars:n=256", "--model", "cnn:4,8,fc=16", "--augment", "shift:1", "--epochs", "1",
                "--batch-size", "32", "--out", Path.Combine(dir, "ck"), "--json", "--db", Path.Combine(dir, "runs.db"));
            Assert.True(exit == 0, stderr);
            var d = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal("shift:1", d.GetProperty("config").GetProperty("augment").GetString());
            var (exit2, out2, err2) = CliRunner.Run("runs", "show", d.GetProperty("run_id").GetInt64().ToString(), "--json", "--db", Path.Combine(dir, "runs.db"));
            Assert.True(exit2 == 0, err2);
            Assert.Contains("\"augment\":", out2);
            Assert.Contains("shift:1", out2);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("circles", "flip", "descent: --augment flip needs image data (examples of shape [C, H, W]); 'circles/train' has examples of shape [2].")]
    [InlineData("bars", "flip,shift", "descent: --augment 'flip,shift': 'shift' is not an augmentation; expected flip, shift:N, both (flip,shift:2) or none.")]
    [InlineData("bars", "shift:12", "descent: --augment shift:12: a shift of 12 pixels moves a 12×12 image of 'bars/train' out of sight; use a shift below 12.")]
    public void BadAugmentationIsOneLine(string data, string augment, string line)
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-aug-bad-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, stdout, stderr) = CliRunner.Run("train", "--data", data, "--augment", augment, "--epochs", "1", "--out", Path.Combine(dir, "ck"), "--db", Path.Combine(dir, "runs.db"));
            Assert.Equal(1, exit);
            Assert.Equal(line, stderr.Trim());
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    private static string[] TrainArgs(string outDir) =>
        ["train", "--data", "bars:n=2000", "--model", "cnn:8,8,fc=16", "--augment", "shift:2", "--epochs", "6", "--batch-size", "16", "--out", outDir, "--json"];

    [Fact]
    public void KilledAndResumedAugmentedRunEqualsUninterruptedRun()
    {
        var root = Path.Combine(Path.GetTempPath(), "descent-aug-kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var run = CliProcess.KillAndResume(root, TrainArgs, waitSeconds: 120);
            string wholeOut = run.WholeOut, resumedOut = run.ResumedOut, killedDir = run.KilledDir;
            bool killedMidRun = run.KilledMidRun;

            var a = File.ReadAllBytes(Path.Combine(root, "whole", "model.safetensors"));
            var b = File.ReadAllBytes(Path.Combine(killedDir, "model.safetensors"));
            Assert.True(a.AsSpan().SequenceEqual(b), "weights differ after kill + resume");
            var r = JsonDocument.Parse(resumedOut).RootElement;
            Assert.Equal("shift:2", r.GetProperty("config").GetProperty("augment").GetString());
            Assert.Equal(JsonDocument.Parse(wholeOut).RootElement.GetProperty("test_accuracy").GetDouble(), r.GetProperty("test_accuracy").GetDouble());
            Assert.True(killedMidRun, "the first run finished before it could be killed; make it longer");
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
