using System.Diagnostics;

namespace Descent.Tests.Cli;

/// <summary>A `descent train` process killed with SIGKILL mid-run and resumed ends bitwise equal to a run that was never stopped.</summary>
public class ResumeAfterKillTests
{
    private static Process Start(string workDir, params string[] args) => CliProcess.Start(workDir, args);

    private static string[] TrainArgs(string outDir) =>
        ["train", "--data", "spirals:n=3000", "--hidden", "128,128", "--epochs", "8", "--batch-size", "16", "--dropout", "0.1", "--out", outDir, "--json"];

    [Fact]
    public void KilledAndResumedRunEqualsUninterruptedRun()
    {
        var root = Path.Combine(Path.GetTempPath(), "descent-kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var whole = Start(root, TrainArgs(Path.Combine(root, "whole")));
            string wholeOut = whole.StandardOutput.ReadToEnd();
            whole.WaitForExit();
            Assert.True(whole.ExitCode == 0, whole.StandardError.ReadToEnd() + wholeOut);

            var killedDir = Path.Combine(root, "killed");
            var victim = Start(root, TrainArgs(killedDir));
            var sw = Stopwatch.StartNew();
            // Wait until at least one epoch is checkpointed, then kill without warning (SIGKILL).
            while (!File.Exists(Path.Combine(killedDir, "state.json")) && sw.Elapsed < TimeSpan.FromSeconds(60) && !victim.HasExited) Thread.Sleep(5);
            bool killedMidRun = !victim.HasExited;
            if (killedMidRun) victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
            if (killedMidRun)
                using (var store = Descent.Storage.RunStore.Open(Path.Combine(root, "runs", "descent.db")))
                    Assert.Equal(Descent.Storage.RunStatus.Interrupted, store.ListRuns()[0].Status);   // not "running" forever

            var resumed = Start(root, "train", "--resume", killedDir, "--json");
            string resumedOut = resumed.StandardOutput.ReadToEnd();
            resumed.WaitForExit();
            Assert.True(resumed.ExitCode == 0, resumed.StandardError.ReadToEnd() + resumedOut);

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
