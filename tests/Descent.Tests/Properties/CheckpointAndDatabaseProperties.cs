using Descent.Data;
using Descent.Storage;
using Descent.Tests.Cli;
using Descent.Tests.Data;
using Descent.Training;
using Descent.Tuning;
using FsCheck.Fluent;

namespace Descent.Tests.Properties;

/// <summary>
/// Checkpoint state (<c>state.json</c>) and the run and study databases, mutated and read as a user would read them —
/// through <c>descent evaluate</c>, <c>predict</c>, <c>runs list/show</c> and <c>tune show</c>: each ends with its result
/// (exit 0) or one clear line (exit 1), never a stack trace (exit 2).
/// </summary>
public sealed class CheckpointAndDatabaseProperties : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static bool ExitsCleanly((int Exit, string Out, string Err) r, string what)
    {
        Assert.True(r.Exit is 0 or 1, $"{what}: exit {r.Exit}\n{r.Err}");
        if (r.Exit == 1) Assert.Single(r.Err.Trim().Split('\n'));
        return true;
    }

    private string Checkpoint()
    {
        string dir = _tmp.File("ck");
        var job = TrainingJob.Create(new TrainConfig { Data = "xor", Model = Descent.Nn.ModelSpec.Parse("mlp:4"), Epochs = 1, BatchSize = 50, Validation = 0.2 });
        job.Run();
        job.SaveCheckpoint(dir);
        File.WriteAllLines(_tmp.File("points.csv"), ["x,y", "0.5,0.5", "-0.5,0.5"]);
        return dir;
    }

    [Fact]
    public void MutatedStateJson()
    {
        string valid = Checkpoint();
        byte[] state = File.ReadAllBytes(Path.Combine(valid, "state.json"));
        int n = 0;
        PropertyRun.Check(Prop.ForAll(Mutation.Arbitrary, m =>
        {
            string dir = _tmp.File($"m{n++}");
            Directory.CreateDirectory(dir);
            foreach (var f in Directory.GetFiles(valid)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            File.WriteAllBytes(Path.Combine(dir, "state.json"), m.Apply(state));
            ExitsCleanly(CliRunner.Run("evaluate", "--checkpoint", dir, "--json"), $"evaluate, state.json {m}");
            ExitsCleanly(CliRunner.Run("predict", "--checkpoint", dir, "--input", _tmp.File("points.csv"), "--json"), $"predict, state.json {m}");
            var e = PropertyRun.Outcome(() => TrainingJob.Resume(dir));
            Directory.Delete(dir, true);
            return PropertyRun.IsClear(e, $"resume, state.json {m}", typeof(InvalidDataException), typeof(ArgumentException), typeof(FormatException), typeof(FileNotFoundException));
        }), 120);
    }

    [Fact]
    public void MutatedRunDatabase()
    {
        string db = _tmp.File("runs.db");
        using (var store = RunStore.Open(db))
        {
            long id = store.CreateRun(new TrainConfig { Data = "xor" }.ToJson(), "r");
            store.AddEpoch(id, 0, new Dictionary<string, double> { ["train_loss"] = 0.5, ["learning_rate"] = 1e-3 }, "ck");
            store.Finish(id, RunStatus.Finished, """{"test_accuracy":0.9}""", "ck");
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        byte[] valid = File.ReadAllBytes(db);
        int n = 0;
        PropertyRun.Check(Prop.ForAll(Mutation.Arbitrary, m =>
        {
            string path = _tmp.File($"m{n++}.db");
            File.WriteAllBytes(path, m.Apply(valid));
            ExitsCleanly(CliRunner.Run("runs", "list", "--db", path), $"runs list, {m}");
            ExitsCleanly(CliRunner.Run("runs", "show", "1", "--db", path, "--json"), $"runs show, {m}");
            File.Delete(path);
            return true;
        }), 120);
    }

    [Fact]
    public void MutatedStudyDatabase()
    {
        string db = _tmp.File("study.db");
        using (var store = new StudyStore(db))
        {
            var obj = SyntheticObjective.Create("quadratic", epochs: 2);
            Study.Open(store, "s", obj.DefaultSpace, obj, new StudyOptions { Trials = 3 }).Optimize(obj);
        }
        byte[] valid = File.ReadAllBytes(db);
        int n = 0;
        PropertyRun.Check(Prop.ForAll(Mutation.Arbitrary, m =>
        {
            string path = _tmp.File($"m{n++}.db");
            File.WriteAllBytes(path, m.Apply(valid));
            ExitsCleanly(CliRunner.Run("tune", "show", "s", "--db", path, "--no-figures"), $"tune show, {m}");
            File.Delete(path);
            return true;
        }), 120);
    }
}
