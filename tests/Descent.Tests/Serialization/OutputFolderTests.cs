using Descent.Serialization;
using Descent.Tests.Data;

namespace Descent.Tests.Serialization;

public class OutputFolderTests
{
    private static Dictionary<string, Tensor> Model() => new() { ["0.weight"] = Tensor.Ones(4, 2) };

    private static string Refusal(string path, bool force = false) =>
        Assert.Throws<OutputFolderException>(() => OutputFolder.Claim(path, force)).Message;

    [Fact]
    public void ANewFolderIsCreatedAndLockedAndAnEmptyOneIsTaken()
    {
        using var tmp = new TempDir();
        using (var f = OutputFolder.Claim(tmp.File("a/b")))
        {
            Assert.True(File.Exists(Path.Combine(f.Path, FolderLock.FileName)));
            var owner = FolderLock.ReadOwner(Path.Combine(f.Path, FolderLock.FileName))!;
            Assert.Equal(Environment.ProcessId, owner.Pid);
            Assert.True(owner.IsAlive());
        }
        Directory.CreateDirectory(tmp.File("empty"));
        using (OutputFolder.Claim(tmp.File("empty"))) { }
    }

    [Fact]
    public void AFolderWithFilesDescentDidNotWriteIsRefusedAndKept()
    {
        using var tmp = new TempDir();
        string d = tmp.File("d");
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "notes.txt"), "x");
        string m = Refusal(d);
        Assert.Contains("holds files Descent did not write (notes.txt)", m);
        Assert.Contains("--force", m);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(d).Select(Path.GetFileName));   // nothing written, nothing deleted
        Assert.Equal("x", File.ReadAllText(Path.Combine(d, "notes.txt")));
    }

    [Fact]
    public void ARunsFolderWithItsDatabaseIsRefused()
    {
        using var tmp = new TempDir();
        string runs = tmp.File("runs");
        Directory.CreateDirectory(Path.Combine(runs, "run-1"));
        File.WriteAllText(Path.Combine(runs, "descent.db"), "db");
        Assert.Contains("(descent.db, run-1)", Refusal(runs));
    }

    [Fact]
    public void ForceWritesBesideForeignFilesButNeverOverAFileOfACheckpointName()
    {
        using var tmp = new TempDir();
        string d = tmp.File("d");
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "notes.txt"), "x");
        using (var f = OutputFolder.Claim(d, allowForeignFiles: true))
            Checkpoint.Save(f.Path, Model(), null, new TrainingState { Epoch = 1 });
        Assert.Equal("x", File.ReadAllText(Path.Combine(d, "notes.txt")));
        using (OutputFolder.Claim(d)) { }   // now Descent's (it holds the lock file): no --force needed again

        string e = tmp.File("e");
        Directory.CreateDirectory(e);
        File.WriteAllText(Path.Combine(e, "model.safetensors"), "someone else's weights");
        Assert.Contains("--force never overwrites", Refusal(e, force: true));
        Assert.Equal("someone else's weights", File.ReadAllText(Path.Combine(e, "model.safetensors")));
    }

    [Fact]
    public void AFolderHoldingOnlyACheckpointOfAnOlderDescentIsTaken()
    {
        using var tmp = new TempDir();
        string d = tmp.File("old");
        Checkpoint.Save(d, Model(), null, new TrainingState { Epoch = 1 });   // no lock file, as an older Descent left it
        using (OutputFolder.Claim(d)) { }
        File.Delete(Path.Combine(d, FolderLock.FileName));
        File.WriteAllText(Path.Combine(d, "state.json"), "{}");   // no longer a complete checkpoint: its files are not vouched for
        Assert.Contains("model.safetensors", Refusal(d));
    }

    [Fact]
    public void TakingAFolderFinishesASaveKilledAfterItsCommitAndDropsLeftovers()
    {
        using var tmp = new TempDir();
        string d = tmp.File("d");
        using (OutputFolder.Claim(d)) Checkpoint.Save(d, Model(), null, new TrainingState { Epoch = 1 });
        File.Move(Path.Combine(d, "model.safetensors"), Path.Combine(d, Checkpoint.StagedName("model.safetensors")));   // killed before the rename
        File.WriteAllText(Path.Combine(d, $".state.json.{int.MaxValue}.{Guid.NewGuid():N}.tmp"), "half");               // killed mid-write
        File.WriteAllText(Path.Combine(d, ".state.json.mine.tmp"), "not a name Descent gives");
        using (OutputFolder.Claim(d)) { }
        Assert.Equal([".descent.lock", ".state.json.mine.tmp", "model.safetensors", "optimizer.safetensors", "state.json"],
            Directory.GetFileSystemEntries(d).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(1, Checkpoint.Load(d).State.Epoch);
    }

    [Fact]
    public void RootFileAndFileInThePathAreRefused()
    {
        using var tmp = new TempDir();
        Assert.Contains("is the root of the file system", Refusal("/"));
        File.WriteAllText(tmp.File("f"), "x");
        Assert.Contains("is a file, not a folder", Refusal(tmp.File("f")));
        Assert.Contains("is a file, not a folder", Refusal(tmp.File("f/sub")));
        Assert.Equal("x", File.ReadAllText(tmp.File("f")));
    }

    [Fact]
    public void TheWorkingFolderIsRefused()
    {
        // The test host's working folder holds its assemblies, which Descent did not write.
        Assert.Contains("is the working folder", Refusal("."));
        Assert.Contains("is the working folder or one above it", Refusal(".."));
    }

    [Fact]
    public void AHeldFolderIsRefusedWithItsOwnerAndFreedWhenReleased()
    {
        using var tmp = new TempDir();
        string d = tmp.File("d");
        using (OutputFolder.Claim(d))
        {
            string m = Refusal(d);
            Assert.Contains($"is in use by another descent run (pid {Environment.ProcessId} on {Environment.MachineName}", m);
            Assert.Contains("wait for it to end, or choose another folder", m);
        }
        using var again = OutputFolder.Claim(d);
        Assert.Equal(Environment.ProcessId, again.PreviousOwner!.Pid);
    }

    [Fact]
    public void OfManyClaimsAtOnceExactlyOneWins()
    {
        using var tmp = new TempDir();
        string d = tmp.File("d");
        using var start = new Barrier(8);
        var results = new OutputFolder?[8];
        var messages = new string?[8];
        var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            try { results[i] = OutputFolder.Claim(d); }
            catch (OutputFolderException e) { messages[i] = e.Message; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Single(results, r => r is not null);
        Assert.All(messages.Where((m, i) => results[i] is null), m => Assert.Contains("is in use by another descent run", m));
        foreach (var r in results) r?.Dispose();
    }

    [SmallDiskFact]
    public void AReadOnlyPlaceIsRefusedBeforeTraining()
    {
        using var disk = new SmallDisk(64);
        Directory.CreateDirectory(Path.Combine(disk.Path, "kept"));
        var remount = System.Diagnostics.Process.Start("mount", ["-o", "remount,ro", disk.Path])!;
        remount.WaitForExit();
        Assert.Equal(0, remount.ExitCode);
        Assert.Contains("cannot be made (the file system is read-only)", Refusal(Path.Combine(disk.Path, "new")));
        Assert.Contains("cannot be written (the file system is read-only)", Refusal(Path.Combine(disk.Path, "kept")));
    }
}
