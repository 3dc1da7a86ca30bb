using Descent.Serialization;
using Descent.Tests.Data;

namespace Descent.Tests.Serialization;

/// <summary>
/// A save stopped at every one of its file operations, as SIGKILL would stop it: the folder is copied exactly as it is at
/// that moment (the writer is frozen in the hook), and the copy must load a whole checkpoint — the previous one or the
/// new one, never a mix — and the next save into it must clean up and succeed. A full disk gives a clear error.
/// </summary>
public class CheckpointFaultTests
{
    private sealed class Killed : Exception;

    // Each epoch's files carry the epoch in every tensor, so a mixed checkpoint is seen at once.
    private static Dictionary<string, Tensor> Model(int e) => new() { ["0.weight"] = Tensor.Full(e, DType.Float32, 64, 32), ["0.bias"] = Tensor.Full(e, DType.Float32, 64) };

    private static Dictionary<string, Tensor> Optim(int e) => new() { ["0.exp_avg"] = Tensor.Full(e, DType.Float32, 64, 32) };

    private static TrainingState State(int e) => new() { Epoch = e, Step = 10 * e };

    private static int Whole(LoadedCheckpoint c)
    {
        int e = c.State.Epoch;
        Assert.All(c.Model.Values.Concat(c.Optimizer.Values), t => Assert.True(t.Floats.ToArray().All(v => v == e), $"a tensor of another save beside state.json of epoch {e}"));
        return e;
    }

    [Fact]
    public void KilledAtEveryFileOperationTheFolderStillLoadsAWholeCheckpoint()
    {
        using var tmp = new TempDir();
        string live = tmp.File("live");
        Checkpoint.Save(live, Model(1), Optim(1), State(1));

        // The operations of a save (and of the recovery it starts with), in order.
        var steps = new List<string>();
        Checkpoint.Save(tmp.File("probe"), Model(1), Optim(1), State(1));
        Checkpoint.FaultHook = steps.Add;
        try { Checkpoint.Save(tmp.File("probe"), Model(2), Optim(2), State(2)); }
        finally { Checkpoint.FaultHook = null; }
        int perSave = steps.Count;
        Assert.True(perSave >= 10, $"only {perSave} file operations seen: {string.Join("; ", steps)}");

        var seen = new HashSet<int>();
        for (int k = 0; k < perSave; k++)
        {
            foreach (bool tornWrite in new[] { false, true })
            {
                string snap = tmp.File($"snap-{k}-{tornWrite}");
                int n = 0;
                string? at = null;
                Checkpoint.FaultHook = what =>
                {
                    if (n++ != k) return;
                    at = what;
                    CopyFolder(live, snap);   // the disk as a SIGKILL here would leave it
                    // A kill in the middle of writing a file leaves part of it: cut the file being written in half.
                    if (tornWrite && what.StartsWith("fsync .", StringComparison.Ordinal))
                    {
                        string part = Path.Combine(snap, what["fsync ".Length..]);
                        using var fs = new FileStream(part, FileMode.Open);
                        fs.SetLength(fs.Length / 2);
                    }
                    throw new Killed();
                };
                try { Assert.Throws<Killed>(() => Checkpoint.Save(live, Model(2), Optim(2), State(2))); }
                finally { Checkpoint.FaultHook = null; }

                int epoch = Whole(Checkpoint.Load(snap));
                Assert.True(epoch is 1 or 2, $"killed before '{at}': epoch {epoch}");
                seen.Add(epoch);
                Checkpoint.Save(snap, Model(3), Optim(3), State(3));   // the next save cleans up what the kill left
                Assert.Equal(3, Whole(Checkpoint.Load(snap)));
                Assert.Equal(["model.safetensors", "optimizer.safetensors", "state.json"], Directory.GetFiles(snap).Select(Path.GetFileName).Order(StringComparer.Ordinal));

                // Put the live folder back to epoch 1 for the next kill point.
                Directory.Delete(live, recursive: true);
                Checkpoint.Save(live, Model(1), Optim(1), State(1));
            }
        }
        Assert.Equal([1, 2], seen.Order());   // kills before the commit keep the old checkpoint, after it the new one
    }

    [SmallDiskFact]
    public void AFullDiskIsAClearErrorAndThePreviousCheckpointStays()
    {
        using var disk = new SmallDisk(96);
        string dir = Path.Combine(disk.Path, "run");
        Checkpoint.Save(dir, Model(1), Optim(1), State(1));   // ≈ 25 kB
        var big = new Dictionary<string, Tensor> { ["0.weight"] = Tensor.Full(2, DType.Float32, 256, 128) };   // 128 kB: does not fit
        var e = Assert.Throws<CheckpointSaveException>(() => Checkpoint.Save(dir, big, Optim(2), State(2)));
        Assert.Contains("disk is full", e.Message);
        Assert.Contains("previous checkpoint there is intact", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(1, Whole(Checkpoint.Load(dir)));
        Assert.Equal(["model.safetensors", "optimizer.safetensors", "state.json"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
