using System.Text.Json.Nodes;
using Descent.Serialization;
using Descent.Tests.Data;

namespace Descent.Tests.Serialization;

public class CheckpointTests
{
    private static TrainingState State(int epoch) => new()
    {
        Epoch = epoch,
        Step = 1000L * epoch,
        BatchInEpoch = 0,
        Seed = 17,
        Rng = { ["dropout"] = new Rng(5).GetState() },
        Schedule = new JsonObject { ["name"] = "step", ["t"] = epoch },
        Config = new JsonObject { ["lr"] = 0.001, ["batch_size"] = 64 },
        Metrics = [new() { ["train_loss"] = 0.5, ["val_accuracy"] = double.NaN }],
        Extra = new JsonObject { ["normalizer"] = new JsonObject { ["mean"] = 0.28 } },
    };

    private static Dictionary<string, Tensor> Model(float w) => new()
    {
        ["fc1.weight"] = Tensor.From(new float[] { w, 2, 3, 4 }, 2, 2),
        ["fc1.bias"] = Tensor.From(new float[] { 0, 1 }, 2),
    };

    [Fact]
    public void SavesAndLoadsEverything()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("ckpt");
        var opt = new Dictionary<string, Tensor> { ["0.exp_avg"] = Tensor.From(new double[] { 1e-8, 2 }, 2) };
        Checkpoint.Save(dir, Model(1), opt, State(3));
        Assert.True(File.Exists(Path.Combine(dir, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "optimizer.safetensors")));
        var c = Checkpoint.Load(dir);
        Assert.True(c.Model["fc1.weight"].BitwiseEquals(Model(1)["fc1.weight"]));
        Assert.True(c.Optimizer["0.exp_avg"].BitwiseEquals(opt["0.exp_avg"]));
        Assert.Equal(3, c.State.Epoch);
        Assert.Equal(3000, c.State.Step);
        Assert.Equal(17UL, c.State.Seed);
        Assert.Equal(new Rng(5).GetState(), c.State.Rng["dropout"]);
        var rng = Rng.FromState(c.State.Rng["dropout"]);
        Assert.Equal(new Rng(5).NextUInt64(), rng.NextUInt64());
        Assert.Equal(64, (int)c.State.Config!["batch_size"]!);
        Assert.True(double.IsNaN(c.State.Metrics[0]["val_accuracy"]));
        Assert.Equal(0.28, (double)c.State.Extra!["normalizer"]!["mean"]!);
    }

    [Fact]
    public void OverwriteReplacesAndLeavesNoTemporaries()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("ckpt");
        Checkpoint.Save(dir, Model(1), null, State(1));
        Checkpoint.Save(dir, Model(9), null, State(2));
        var c = Checkpoint.Load(dir);
        Assert.Equal(9.0, c.Model["fc1.weight"][0, 0]);
        Assert.Equal(2, c.State.Epoch);
        Assert.Empty(c.Optimizer);
        Assert.Equal(["ckpt"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void AlteredTensorFileIsDetected()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("ckpt");
        Checkpoint.Save(dir, Model(1), null, State(1));
        Safetensors.Write(Path.Combine(dir, "model.safetensors"), Model(2));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("SHA-256", e.Message);
    }

    [Fact]
    public void SaveReplacesFilesInPlaceAndNeverTouchesOtherFiles()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("ckpt");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "mine");
        Directory.CreateDirectory(Path.Combine(dir, "plots"));
        Checkpoint.Save(dir, Model(1), null, State(1));
        Checkpoint.Save(dir, Model(2), null, State(2));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "notes.txt")));
        Assert.True(Directory.Exists(Path.Combine(dir, "plots")));
        Assert.Equal(["ckpt"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));   // no sibling folder, ever
        Assert.Equal(["model.safetensors", "notes.txt", "optimizer.safetensors", "plots", "state.json"],
            Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(2, Checkpoint.Load(dir).State.Epoch);
    }

    [Fact]
    public void NoCheckpointIsAClearError()
    {
        using var tmp = new TempDir();
        Assert.False(Checkpoint.Exists(tmp.File("none")));
        Assert.Contains("No checkpoint", Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(tmp.File("none"))).Message);
    }

    [Fact]
    public void ASaveKilledAfterItsCommitIsFinishedByTheNextLoadAndSave()
    {
        using var tmp = new TempDir();
        string dir = tmp.File("ckpt");
        Checkpoint.Save(dir, Model(1), null, State(1));
        // As if killed after state.json was committed but before the staged model took its name.
        Checkpoint.Save(tmp.File("next"), Model(2), null, State(2));
        File.Copy(tmp.File("next/model.safetensors"), Path.Combine(dir, Checkpoint.StagedName("model.safetensors")));
        File.Copy(tmp.File("next/optimizer.safetensors"), Path.Combine(dir, "optimizer.safetensors"), overwrite: true);
        File.Copy(tmp.File("next/state.json"), Path.Combine(dir, "state.json"), overwrite: true);
        var c = Checkpoint.Load(dir);
        Assert.Equal(2, c.State.Epoch);
        Assert.Equal(2.0, c.Model["fc1.weight"][0, 0]);
        Checkpoint.Recover(dir);
        Assert.False(File.Exists(Path.Combine(dir, Checkpoint.StagedName("model.safetensors"))));
        Assert.Equal(2.0, Safetensors.Read(Path.Combine(dir, "model.safetensors")).ToTensors()["fc1.weight"][0, 0]);
    }

    [Fact]
    public void AtomicFileReplacesContentWhole()
    {
        using var tmp = new TempDir();
        string p = tmp.File("sub/a.txt");
        AtomicFile.WriteAllText(p, "one");
        AtomicFile.WriteAllText(p, "two");
        Assert.Equal("two", File.ReadAllText(p));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(p, _ => throw new InvalidOperationException("boom")));
        Assert.Equal("two", File.ReadAllText(p)); // a failed write leaves the old file
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(p)!));
    }
}
