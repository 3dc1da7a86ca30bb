using System.Text.Json;

namespace Descent.Tests.Cli;

/// <summary>
/// <c>descent train --ema DECAY</c>: the decay in the JSON and the run record, the averaged model in the checkpoint (so
/// <c>evaluate</c> gives the run's test accuracy), a bad decay refused in one line, and a bitwise resume after SIGKILL.
/// </summary>
public class EmaCommandTests
{
    [Fact]
    public void DecayIsInTheJsonAndTheRunRecordAndTheCheckpointHoldsTheAveragedModel()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-ema-" + Guid.NewGuid().ToString("N"));
        try
        {
            string ck = Path.Combine(dir, "ck"), db = Path.Combine(dir, "runs.db");
            var (exit, stdout, stderr) = CliRunner.Run("train", "--data", "bars:n=512", "--model", "cnn:4,8,fc=16", "--ema", "0.9", "--epochs", "2",
                "--batch-size", "32", "--lr", "0.003", "--out", ck, "--json", "--db", db);
            Assert.True(exit == 0, stderr);
            var d = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(0.9, d.GetProperty("config").GetProperty("ema").GetDouble());
            var (exit2, out2, err2) = CliRunner.Run("runs", "show", d.GetProperty("run_id").GetInt64().ToString(), "--json", "--db", db);
            Assert.True(exit2 == 0, err2);
            Assert.Contains("\"ema\":0.9", out2.Replace(" ", ""));
            var (exit3, out3, err3) = CliRunner.Run("evaluate", "--checkpoint", ck, "--json");
            Assert.True(exit3 == 0, err3);
            Assert.Equal(d.GetProperty("test_accuracy").GetDouble(), JsonDocument.Parse(out3).RootElement.GetProperty("test_accuracy").GetDouble());
            Assert.Equal(d.GetProperty("test_loss").GetDouble(), JsonDocument.Parse(out3).RootElement.GetProperty("test_loss").GetDouble(), 1e-6);   // summed in other batches
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void BadDecayIsOneLine(string decay)
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-ema-bad-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, _, stderr) = CliRunner.Run("train", "--data", "bars:n=128", "--ema", decay, "--epochs", "1", "--out", Path.Combine(dir, "ck"), "--db", Path.Combine(dir, "runs.db"));
            Assert.Equal(1, exit);
            Assert.Equal($"descent: --ema: expected a decay in [0, 1), e.g. 0.999 (0: off), got {decay}.", stderr.Trim());
            Assert.False(Directory.Exists(Path.Combine(dir, "ck", "model.safetensors")));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    private static string[] TrainArgs(string outDir) =>
        ["train", "--data", "bars:n=2000", "--model", "cnn:8,8,fc=16", "--ema", "0.99", "--epochs", "6", "--batch-size", "16", "--out", outDir, "--json"];

    [Fact]
    public void KilledAndResumedAveragedRunEqualsUninterruptedRun()
    {
        var root = Path.Combine(Path.GetTempPath(), "descent-ema-kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var run = CliProcess.KillAndResume(root, TrainArgs, waitSeconds: 120);
            var a = File.ReadAllBytes(Path.Combine(root, "whole", "model.safetensors"));
            var b = File.ReadAllBytes(Path.Combine(run.KilledDir, "model.safetensors"));
            Assert.True(a.AsSpan().SequenceEqual(b), "averaged weights differ after kill + resume");
            var a2 = File.ReadAllBytes(Path.Combine(root, "whole", "optimizer.safetensors"));
            var b2 = File.ReadAllBytes(Path.Combine(run.KilledDir, "optimizer.safetensors"));
            Assert.True(a2.AsSpan().SequenceEqual(b2), "trained weights or optimizer state differ after kill + resume");
            var r = JsonDocument.Parse(run.ResumedOut).RootElement;
            Assert.Equal(0.99, r.GetProperty("config").GetProperty("ema").GetDouble());
            Assert.Equal(JsonDocument.Parse(run.WholeOut).RootElement.GetProperty("test_accuracy").GetDouble(), r.GetProperty("test_accuracy").GetDouble());
            Assert.True(run.KilledMidRun, "the first run finished before it could be killed; make it longer");
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
