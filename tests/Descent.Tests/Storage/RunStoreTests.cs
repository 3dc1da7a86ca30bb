using Descent.Storage;
using Descent.Tests.Data;
using Microsoft.Data.Sqlite;

namespace Descent.Tests.Storage;

public class RunStoreTests
{
    [Fact]
    public void RunIsWrittenAndReadBack()
    {
        using var tmp = new TempDir();
        string db = tmp.File("runs/descent.db");
        long id;
        using (var store = RunStore.Open(db))
        {
            id = store.CreateRun("""{"model":"mlp","lr":0.001}""", "first");
            store.AddEpoch(id, 0, new Dictionary<string, double> { ["train_loss"] = 0.9, ["val_accuracy"] = 0.7 });
            store.AddEpoch(id, 1, new Dictionary<string, double> { ["train_loss"] = 0.5, ["val_accuracy"] = 0.8 }, "ckpt/epoch1");
            store.AddEpoch(id, 1, new Dictionary<string, double> { ["train_loss"] = 0.4, ["val_accuracy"] = 0.85 }); // a resumed run re-records epoch 1
            var running = store.GetRun(id)!;
            Assert.Equal(RunStatus.Running, running.Status);
            Assert.Null(running.FinishedAt);
            store.Finish(id, RunStatus.Finished, """{"test_accuracy":0.84}""", "ckpt/final");
        }
        using (var store = RunStore.Open(db)) // reopened: everything persisted
        {
            var run = store.GetRun(id)!;
            Assert.Equal("first", run.Name);
            Assert.Equal(RunStatus.Finished, run.Status);
            Assert.Contains("\"lr\":0.001", run.ConfigJson);
            Assert.Contains("0.84", run.ResultsJson);
            Assert.Equal("ckpt/final", run.CheckpointPath);
            Assert.NotNull(run.FinishedAt);
            Assert.Equal([0, 1], run.Epochs.Select(e => e.Epoch));
            Assert.Equal(0.85, run.Epochs[1].Metrics["val_accuracy"]);
            var list = store.ListRuns();
            Assert.Single(list);
            Assert.Equal(2, list[0].Epochs);
            Assert.Equal(0.4, list[0].LastMetrics!["train_loss"]);
            Assert.Null(store.GetRun(id + 1));
        }
    }

    /// <summary>
    /// A run still marked running whose process on this host is gone reads as interrupted (list and show); one whose
    /// process lives (this one) reads as running; a claim (resume) makes it running again.
    /// </summary>
    [Fact]
    public void RunOfADeadProcessReadsAsInterruptedUntilClaimed()
    {
        using var tmp = new TempDir();
        string path = tmp.File("d.db");
        long live, dead, otherHost;
        using (var store = RunStore.Open(path))
        {
            live = store.CreateRun("{}");
            dead = store.CreateRun("{}");
            otherHost = store.CreateRun("{}");
        }
        using (var db = new SqliteConnection($"Data Source={path}"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            // A pid that no process has (above Linux's pid_max), and a run of another machine.
            cmd.CommandText = $"UPDATE runs SET owner = '{Environment.MachineName}|2147483000|638000000000000000' WHERE id = {dead};"
                + $"UPDATE runs SET owner = 'some-other-host|1|1' WHERE id = {otherHost};";
            cmd.ExecuteNonQuery();
        }
        using (var store = RunStore.Open(path))
        {
            Assert.Equal(RunStatus.Running, store.GetRun(live)!.Status);
            Assert.Equal(RunStatus.Interrupted, store.GetRun(dead)!.Status);
            Assert.Equal(RunStatus.Running, store.GetRun(otherHost)!.Status);   // can't tell: stays running
            Assert.Equal([RunStatus.Running, RunStatus.Interrupted, RunStatus.Running], store.ListRuns().Select(r => r.Status));
            Assert.Throws<ArgumentException>(() => store.Finish(dead, RunStatus.Interrupted));
            store.Claim(dead);
            Assert.Equal(RunStatus.Running, store.GetRun(dead)!.Status);
            store.Finish(dead, RunStatus.Finished);
            Assert.Equal(RunStatus.Finished, store.GetRun(dead)!.Status);
        }
    }

    [Fact]
    public void StatusesNaNMetricsAndNewestFirst()
    {
        using var tmp = new TempDir();
        using var store = RunStore.Open(tmp.File("d.db"));
        long a = store.CreateRun("{}");
        long b = store.CreateRun("{}");
        long c = store.CreateRun("{}");
        store.AddEpoch(b, 0, new Dictionary<string, double> { ["train_loss"] = double.NaN });
        store.Finish(b, RunStatus.Diverged, message: "loss became NaN at step 120");
        store.Finish(c, RunStatus.Failed, message: "boom");
        var list = store.ListRuns();
        Assert.Equal([c, b, a], list.Select(r => r.Id));
        Assert.Equal([RunStatus.Failed, RunStatus.Diverged, RunStatus.Running], list.Select(r => r.Status));
        Assert.True(double.IsNaN(list[1].LastMetrics!["train_loss"]));
        Assert.Equal("loss became NaN at step 120", store.GetRun(b)!.Message);
        Assert.Equal(2, store.ListRuns(2).Count);
    }

    [Fact]
    public void BadInputIsRejectedWithoutChanges()
    {
        using var tmp = new TempDir();
        using var store = RunStore.Open(tmp.File("d.db"));
        Assert.Contains("not valid JSON", Assert.Throws<ArgumentException>(() => store.CreateRun("{lr: 1")).Message);
        Assert.Empty(store.ListRuns());
        Assert.Contains("no run 7", Assert.Throws<ArgumentException>(() => store.AddEpoch(7, 0, new Dictionary<string, double>())).Message);
        long id = store.CreateRun("{}");
        Assert.Throws<ArgumentException>(() => store.Finish(id, RunStatus.Running));
        Assert.Throws<ArgumentException>(() => store.Finish(id, RunStatus.Finished, "not json"));
        Assert.Equal(RunStatus.Running, store.GetRun(id)!.Status);
    }

    [Fact]
    public void UncommittedWriteOfAKilledProcessLeavesNoTrace()
    {
        using var tmp = new TempDir();
        string db = tmp.File("d.db");
        long id;
        using (var store = RunStore.Open(db)) id = store.CreateRun("{}");
        // another connection starts a change and dies before committing (its transaction is never committed)
        using (var c = Sqlite.Open(db))
        {
            var tx = c.BeginTransaction();
            Sqlite.Execute(c, $"INSERT INTO run_epochs (run_id, epoch, metrics_json, recorded_at) VALUES ({id}, 0, '{{}}', 'x');", tx);
            Sqlite.Execute(c, $"UPDATE runs SET status = 'finished' WHERE id = {id};", tx);
        }
        using (var store = RunStore.Open(db))
        {
            var run = store.GetRun(id)!;
            Assert.Equal(RunStatus.Running, run.Status);
            Assert.Empty(run.Epochs);
        }
        using var check = Sqlite.Open(db);
        using var cmd = check.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)cmd.ExecuteScalar()!);
        cmd.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", (string)cmd.ExecuteScalar()!);
    }

    /// <summary>A database of schema 1 (no owner column) opens, keeps its runs (read as they were stored), and takes new runs.</summary>
    [Fact]
    public void SchemaOneDatabaseIsMigrated()
    {
        using var tmp = new TempDir();
        string db = tmp.File("v1.db");
        using (var c = Sqlite.Open(db))
            Sqlite.Execute(c, """
                CREATE TABLE runs_schema (version INTEGER NOT NULL);
                CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'diverged')),
                    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, finished_at TEXT, config_json TEXT NOT NULL,
                    results_json TEXT, checkpoint_path TEXT, message TEXT);
                CREATE TABLE run_epochs (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, epoch INTEGER NOT NULL,
                    metrics_json TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (run_id, epoch));
                INSERT INTO runs_schema (version) VALUES (1);
                INSERT INTO runs (name, status, created_at, updated_at, config_json) VALUES ('old', 'running', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '{}');
                """);
        using (var store = RunStore.Open(db))
        {
            Assert.Equal(RunStatus.Running, store.GetRun(1)!.Status);   // no owner recorded: can't tell
            long id = store.CreateRun("{}");
            Assert.Equal(RunStatus.Running, store.GetRun(id)!.Status);
            Assert.Equal(2, store.ListRuns().Count);
        }
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void NewerSchemaIsRefused()
    {
        using var tmp = new TempDir();
        string db = tmp.File("d.db");
        RunStore.Open(db).Dispose();
        using (var c = Sqlite.Open(db)) Sqlite.Execute(c, "INSERT INTO runs_schema (version) VALUES (99);");
        Assert.Contains("schema version 99", Assert.Throws<InvalidOperationException>(() => RunStore.Open(db)).Message);
        SqliteConnection.ClearAllPools();
    }
}
