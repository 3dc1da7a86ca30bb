using System.Diagnostics;
using System.Text.Json;
using Descent.Serialization;
using Descent.Storage;
using Descent.Tests.Data;
using Descent.Tests.Serialization;

namespace Descent.Tests.Cli;

/// <summary>
/// <c>descent train --out</c> as a user and a fault tester run it, as real processes: a folder that is not Descent's is
/// refused before anything is written and every file in it stays; of concurrent runs on one folder exactly one proceeds;
/// a run SIGKILLed at random times always leaves a loadable checkpoint; a full disk fails the run with one line.
/// </summary>
public class OutputFolderCommandTests
{
    private static Process Start(string workDir, params string[] args) => CliProcess.Start(workDir, args);

    private static (int Exit, string Out, string Err) Finish(Process p)
    {
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    /// <summary>Every file and folder under <paramref name="root"/> with its content, to show nothing changed.</summary>
    private static SortedDictionary<string, string> Tree(string root) => new(
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(root, p), p => File.Exists(p) ? File.ReadAllText(p) : "(folder)"), StringComparer.Ordinal);

    private static readonly (string Out, string Message)[] NotDescents =
    [
        ("d", "--out 'd' holds files Descent did not write (notes.txt)"),
        ("runs", "--out 'runs' holds files Descent did not write (descent.db, run-1)"),
        (".", "--out '.' is the working folder, which holds files Descent did not write"),
        ("/", "--out '/' is the root of the file system"),
        ("d/notes.txt", "--out 'd/notes.txt' is a file, not a folder"),
    ];

    [Fact]
    public void AFolderThatIsNotDescentsIsRefusedAndEveryFileStays()
    {
        // Each case in a working folder of its own, all at once (a process start is the slow part).
        var rootBefore = Directory.GetFileSystemEntries("/").Order(StringComparer.Ordinal).ToList();
        var cases = NotDescents.Select(c =>
        {
            var tmp = new TempDir();
            Directory.CreateDirectory(tmp.File("d"));
            File.WriteAllText(tmp.File("d/notes.txt"), "x");
            Directory.CreateDirectory(tmp.File("runs/run-1"));
            File.WriteAllText(tmp.File("runs/run-1/state.json"), "{}");
            File.WriteAllText(tmp.File("runs/descent.db"), "not touched");
            return (c.Out, c.Message, Tmp: tmp, Before: Tree(tmp.Path), Run: Start(tmp.Path, "train", "--data", "circles", "--epochs", "1", "--out", c.Out));
        }).ToList();
        foreach (var (outDir, message, tmp, before, run) in cases)
            using (tmp)
            {
                var (exit, stdout, stderr) = Finish(run);
                Assert.True(exit == 1, $"--out {outDir}: exit {exit}: {stderr}{stdout}");
                Assert.Single(stderr.Trim().Split('\n'));
                Assert.StartsWith("descent: " + message, stderr.Trim());
                Assert.Equal(before, Tree(tmp.Path));   // nothing written, nothing deleted: not even a run record
            }
        Assert.Equal(rootBefore, Directory.GetFileSystemEntries("/").Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void OfTwoOrThreeConcurrentRunsOnOneFolderExactlyOneProceeds()
    {
        using var tmp = new TempDir();
        // Long runs, so the one that wins is still training when the others give up; it is killed at the end.
        var groups = new[] { 2, 3 }.Select(n => (Out: $"c{n}", Procs: Enumerable.Range(0, n)
            .Select(_ => Start(tmp.Path, "train", "--data", "circles", "--epochs", "100000", "--out", $"c{n}", "--json")).ToList())).ToList();
        var all = groups.SelectMany(g => g.Procs).ToList();
        try
        {
            var sw = Stopwatch.StartNew();
            while (all.Count(p => p.HasExited) < all.Count - groups.Count && sw.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(20);
            foreach (var (outDir, procs) in groups)
            {
                var winner = Assert.Single(procs, p => !p.HasExited);
                foreach (var loser in procs.Where(p => p != winner))
                {
                    var (exit, stdout, stderr) = Finish(loser);
                    Assert.Equal(1, exit);
                    Assert.Equal("", stderr.Trim());   // with --json the error is the one JSON document on stdout
                    var error = System.Text.Json.JsonDocument.Parse(stdout).RootElement.GetProperty("error").GetString();
                    Assert.StartsWith($"--out '{outDir}' is in use by another descent run (pid {winner.Id} on {Environment.MachineName}", error);
                }
                // The winner trains on; killed without warning, its lock goes with it.
                // (after its first whole save: from then on the three files are always there, each replaced by a rename)
                while (!new[] { "state.json", "model.safetensors", "optimizer.safetensors" }.All(f => File.Exists(tmp.File(outDir + "/" + f)))
                       && !winner.HasExited && sw.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(20);
                winner.Kill();
                winner.WaitForExit();
            }
            // The next run takes the killed run's folder over.
            var (next, _, nextErr) = Finish(Start(tmp.Path, "train", "--data", "circles", "--epochs", "1", "--out", "c3", "--json"));
            Assert.True(next == 0, nextErr);
            Assert.NotEqual(groups[1].Procs.Single(p => p.ExitCode != 1).Id, FolderLock.ReadOwner(tmp.File("c3/" + FolderLock.FileName))!.Pid);
            Assert.Equal(["c2", "c3", "runs"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));   // no temporary folder beside them
            foreach (var d in new[] { "c2", "c3" })
                Assert.Equal([FolderLock.FileName, "model.safetensors", "optimizer.safetensors", "state.json"],
                    Directory.GetFileSystemEntries(tmp.File(d)).Select(Path.GetFileName).Where(n => d == "c3" || !n!.StartsWith('.') || n == FolderLock.FileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var p in all.Where(p => !p.HasExited)) p.Kill();
        }
    }

    [Fact]
    public void KilledAtRandomTimesTheFolderAlwaysHoldsALoadableCheckpoint()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("k");
        var rng = new Random(17);
        int epochs = -1;
        for (int round = 0; round < 3; round++)
        {
            // Wide layers make each save take a while, so many kills land inside one.
            var p = round == 0
                ? Start(tmp.Path, "train", "--data", "circles", "--hidden", "512,512", "--epochs", "100000", "--out", "k", "--json")
                : Start(tmp.Path, "train", "--resume", "k", "--json");
            var sw = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(dir, "state.json")) && !p.HasExited && sw.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(5);
            Thread.Sleep(rng.Next(20, 300));
            if (p.HasExited) Assert.Fail($"the run ended before it was killed: {Finish(p).Err}");
            p.Kill();
            p.WaitForExit();
            var c = Checkpoint.Load(dir);   // digests checked: a whole checkpoint
            Assert.True(c.State.Epoch >= epochs, "the checkpoint went back in time");
            epochs = c.State.Epoch;
            Assert.All(Directory.GetFileSystemEntries(dir).Select(Path.GetFileName), n => Assert.True(n == FolderLock.FileName || Checkpoint.IsOwnName(n!), n));
        }
    }

    [SmallDiskFact]
    public void AFullDiskFailsTheRunWithOneLineAndKeepsThePreviousCheckpoint()
    {
        using var disk = new SmallDisk(600);   // one checkpoint of this model fits (≈ 410 kB), two at once do not
        using var tmp = new TempDir();
        string dir = Path.Combine(disk.Path, "run"), db = tmp.File("descent.db");
        var (exit, stdout, stderr) = CliRunner.Run("train", "--data", "circles", "--epochs", "3", "--out", dir, "--db", db, "--json");
        Assert.Equal(1, exit);
        string all = stdout + stderr;
        Assert.Contains($"cannot save the checkpoint in '{dir}': the disk is full (no space left on the device); the previous checkpoint there is intact", all);
        Assert.DoesNotContain("   at ", all);   // no stack trace
        Assert.Equal(1, Checkpoint.Load(dir).State.Epoch);
        using var store = RunStore.Open(db);
        var run = store.ListRuns().Single();
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(1, run.Epochs);
        Assert.Contains("the disk is full", store.GetRun(run.Id)!.Message);
    }

    [Fact]
    public void ResumingACopyStartsANewRunAndLeavesTheOriginalsRecord()
    {
        using var tmp = new TempDir();
        string db = tmp.File("descent.db"), orig = tmp.File("orig"), copy = tmp.File("copy");
        var (e1, out1, err1) = CliRunner.Run("train", "--data", "circles", "--epochs", "1", "--out", orig, "--db", db, "--json");
        Assert.True(e1 == 0, err1);
        long id = JsonDocument.Parse(out1).RootElement.GetProperty("run_id").GetInt64();
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(orig)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        RunRecord before;
        using (var store = RunStore.Open(db)) before = store.GetRun(id)!;

        var (e2, out2, err2) = CliRunner.Run("train", "--resume", copy, "--db", db, "--json");
        Assert.True(e2 == 0, err2);
        var doc = JsonDocument.Parse(out2).RootElement;
        Assert.Equal(id, doc.GetProperty("copy_of_run").GetInt64());
        long newId = doc.GetProperty("run_id").GetInt64();
        Assert.NotEqual(id, newId);
        using (var store = RunStore.Open(db))
        {
            var after = store.GetRun(id)!;
            Assert.Equal(before.CheckpointPath, after.CheckpointPath);
            Assert.Equal(before.ResultsJson, after.ResultsJson);
            Assert.Equal(before.UpdatedAt, after.UpdatedAt);
            var fresh = store.GetRun(newId)!;
            Assert.Equal(copy, fresh.CheckpointPath);
            Assert.Single(fresh.Epochs);   // the copy's history came with it
        }
        var (e3, out3, _) = CliRunner.Run("train", "--resume", orig, "--db", db, "--json");   // the original continues its own record
        Assert.Equal(0, e3);
        Assert.Equal(id, JsonDocument.Parse(out3).RootElement.GetProperty("run_id").GetInt64());
    }
}
