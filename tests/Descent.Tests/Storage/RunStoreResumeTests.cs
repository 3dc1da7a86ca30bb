using Descent.Storage;
using Descent.Tests.Data;

namespace Descent.Tests.Storage;

/// <summary>A resumed checkpoint continues its run only in the run's own folder; a copy, a link to it elsewhere or a branch is a new run.</summary>
public class RunStoreResumeTests
{
    private const string Config = """{"epochs":2}""";

    private static (RunStore Store, long Id, string Folder) Finished(TempDir tmp)
    {
        var store = RunStore.Open(tmp.File("descent.db"));
        string folder = tmp.File("run");
        Directory.CreateDirectory(folder);
        long id = store.CreateRun(Config);
        store.AddEpoch(id, 0, new Dictionary<string, double> { ["train_loss"] = 0.5 }, folder);
        store.Finish(id, RunStatus.Finished, """{"test_accuracy":0.9}""", folder);
        return (store, id, folder);
    }

    [Fact]
    public void TheRunsOwnFolderContinuesTheRun()
    {
        using var tmp = new TempDir();
        var (store, id, folder) = Finished(tmp);
        using var _ = store;
        var r = store.Resume(id, folder + "/./", folder, Config);   // the same folder, however it is spelled
        Assert.Equal(new ResumedRun(id, null, folder), r);
        Assert.Equal(RunStatus.Running, store.GetRun(id)!.Status);
        Assert.Single(store.ListRuns());
    }

    [Fact]
    public void ACopyOrABranchIsANewRunAndTheOriginalIsLeftAsItWas()
    {
        using var tmp = new TempDir();
        var (store, id, folder) = Finished(tmp);
        using var _ = store;
        string copy = tmp.File("copy");
        Directory.CreateDirectory(copy);
        var before = store.GetRun(id)!;

        var fromCopy = store.Resume(id, copy, copy, Config);
        Assert.NotEqual(id, fromCopy.RunId);
        Assert.Equal(id, fromCopy.CopyOf);
        Assert.Equal(folder, fromCopy.OriginalFolder);
        Assert.Equal($"from run {id}", store.GetRun(fromCopy.RunId)!.Name);

        var branch = store.Resume(id, folder, copy, Config);   // the original folder read, another one written
        Assert.Equal(id, branch.CopyOf);

        var after = store.GetRun(id)!;
        Assert.Equal(RunStatus.Finished, after.Status);
        Assert.Equal(before.CheckpointPath, after.CheckpointPath);
        Assert.Equal(before.ResultsJson, after.ResultsJson);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
    }

    [Fact]
    public void ASymbolicLinkToTheRunsFolderIsTheSameFolder()
    {
        using var tmp = new TempDir();
        var (store, id, folder) = Finished(tmp);
        using var _ = store;
        string link = tmp.File("link");
        Directory.CreateSymbolicLink(link, folder);
        Assert.Null(store.Resume(id, link, link, Config).CopyOf);
    }

    [Fact]
    public void ARunThisDatabaseDoesNotHoldIsANewRun()
    {
        using var tmp = new TempDir();
        using var store = RunStore.Open(tmp.File("descent.db"));
        var r = store.Resume(41, tmp.Path, tmp.Path, Config);
        Assert.Equal(41, r.CopyOf);
        Assert.Null(r.OriginalFolder);
        Assert.Equal(RunStatus.Running, store.GetRun(r.RunId)!.Status);
    }
}
