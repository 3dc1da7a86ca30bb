namespace Descent.Tests.Cli;

/// <summary>A `descent train` process killed with SIGKILL mid-run and resumed ends bitwise equal to a run that was never stopped.</summary>
public class ResumeAfterKillTests
{
    private static string[] TrainArgs(string outDir) =>
        ["train", "--data", "spirals:n=3000", "--hidden", "128,128", "--epochs", "8", "--batch-size", "16", "--dropout", "0.1", "--out", outDir, "--json"];

    [Fact]
    public void KilledAndResumedRunEqualsUninterruptedRun()
    {
        var root = Path.Combine(Path.GetTempPath(), "descent-kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var run = CliProcess.KillAndResume(root, TrainArgs, waitSeconds: 60, afterKill: killedMidRun =>
            {
                if (killedMidRun)
                    using (var store = Descent.Storage.RunStore.Open(Path.Combine(root, "runs", "descent.db")))
                        Assert.Equal(Descent.Storage.RunStatus.Interrupted, store.ListRuns()[0].Status);   // not "running" forever
            });
            string wholeOut = run.WholeOut, resumedOut = run.ResumedOut, killedDir = run.KilledDir;
            bool killedMidRun = run.KilledMidRun;

            var a = File.ReadAllBytes(Path.Combine(root, "whole", "model.safetensors"));
            var b = File.ReadAllBytes(Path.Combine(killedDir, "model.safetensors"));
            Assert.True(a.AsSpan().SequenceEqual(b), "weights differ after kill + resume");
            var ma = System.Text.Json.JsonDocument.Parse(wholeOut).RootElement.GetProperty("test_accuracy").GetDouble();
            var mb = System.Text.Json.JsonDocument.Parse(resumedOut).RootElement.GetProperty("test_accuracy").GetDouble();
            Assert.Equal(ma, mb);
            using (var store = Descent.Storage.RunStore.Open(Path.Combine(root, "runs", "descent.db")))
                Assert.Equal(Descent.Storage.RunStatus.Finished, store.ListRuns()[0].Status);
            Assert.True(killedMidRun, "the first run finished before it could be killed; make it longer");
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
