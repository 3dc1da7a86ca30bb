using System.Diagnostics;
using Descent.Storage;
using Descent.Tuning;

namespace Descent.Tests.Storage;

/// <summary>The study storage on a real PostgreSQL server: the same semantics as SQLite's, a versioned schema, safe URLs.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStudyStoreTests
{
    private static PostgresServer Server => PostgresServer.Shared!;

    [PostgresFact]
    public void TrialsParametersAndMetricsRoundTrip()
    {
        string url = Server.CreateDatabase();
        StudyStorageContract.TrialsParametersAndMetricsRoundTrip(() => new PostgresStudyStore(url));
    }

    [PostgresFact]
    public void AKilledWorkersTrialIsRetriedAndALostWorkerCannotOverwriteItsRetry()
    {
        using var store = new PostgresStudyStore(Server.CreateDatabase());
        var space = new SearchSpace().Add("x", new UniformDistribution(0, 1));
        var info = store.OpenStudy("killed", space, Direction.Minimize, "loss");
        int deadPid = DeadPid();
        store.Insert(info.Id, new TrialRecord
        {
            Number = 0, State = TrialState.Running, Params = new() { ["x"] = 0.25 }, Worker = $"{Environment.MachineName}:{deadPid}:w1",
            Host = Environment.MachineName, Pid = deadPid, LeaseUntil = DateTime.UtcNow + TimeSpan.FromMinutes(5), Started = DateTime.UtcNow,
        });
        var w = WorkerInfo.ForThisProcess("a");
        var retry = store.Claim(info.Id, new ClaimRequest(w, 3, TimeSpan.FromSeconds(10), 1, _ => new TrialPlan(new() { ["x"] = 0.9 })))!;
        Assert.Equal(0, retry.RetryOf);
        Assert.Equal(0.25, (double)retry.Params["x"]);
        Assert.Equal(TrialState.Failed, store.Trials(info.Id)[0].State);

        // The retry's lease expires; another worker (another host) takes it over, so the first learns it lost the trial.
        store.Clock = () => DateTime.UtcNow + TimeSpan.FromMinutes(1);
        var other = WorkerInfo.ForThisProcess("b") with { Host = "elsewhere", Pid = 1 };
        var again = store.Claim(info.Id, new ClaimRequest(other, 3, TimeSpan.FromSeconds(10), 2, _ => new TrialPlan(new() { ["x"] = 0.5 })))!;
        Assert.Equal(retry.Number, again.RetryOf);
        Assert.False(store.Heartbeat(retry.Id, DateTime.UtcNow + TimeSpan.FromHours(1)));
        Assert.False(store.Finish(retry.Id, TrialState.Complete, 1.0, null));
        Assert.True(store.Finish(again.Id, TrialState.Complete, 0.5, null));
    }

    [PostgresFact]
    public void PruningSeesTheOtherWorkersValues()
    {
        string url = Server.CreateDatabase();
        using var a = new PostgresStudyStore(url);
        using var b = new PostgresStudyStore(url);   // another worker: its own connections
        var space = new SearchSpace().Add("x", new UniformDistribution(0, 1));
        var info = a.OpenStudy("prune", space, Direction.Minimize, "loss");
        var good = new List<TrialRecord>();
        for (int i = 0; i < 3; i++)
        {
            var t = a.Claim(info.Id, new ClaimRequest(WorkerInfo.ForThisProcess($"a{i}"), 10, TimeSpan.FromMinutes(1), 1, _ => new TrialPlan(new() { ["x"] = 0.1 * i })))!;
            a.ReportEpoch(t.Id, new EpochMetric(1, 0.1 + i * 0.01));
            a.Finish(t.Id, TrialState.Complete, 0.1 + i * 0.01, null);
        }
        var bad = b.Claim(info.Id, new ClaimRequest(WorkerInfo.ForThisProcess("b"), 10, TimeSpan.FromMinutes(1), 1, _ => new TrialPlan(new() { ["x"] = 0.9 })))!;
        b.ReportEpoch(bad.Id, new EpochMetric(1, 5.0));
        var seen = b.Trials(info.Id);
        var me = seen.Single(t => t.Id == bad.Id);
        Assert.Equal(3, seen.Count(t => t.State == TrialState.Complete && t.Epochs.Count == 1));
        Assert.True(new MedianPruner(0, 1).ShouldPrune(me, seen, Direction.Minimize));
        Assert.False(new MedianPruner(0, 1).ShouldPrune(me, [me], Direction.Minimize));   // alone it would not be pruned
    }

    [PostgresFact]
    public void ConcurrentWorkersClaimExactlyTheTargetWithoutDuplicates()
    {
        string url = Server.CreateDatabase();
        const int target = 40;
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgresStudyStore(url)).ToList();
        try
        {
            var space = new SearchSpace().Add("x", new UniformDistribution(0, 1));
            var info = stores[0].OpenStudy("race", space, Direction.Minimize, "loss");
            int drawn = 0;
            var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
            var threads = stores.SelectMany((s, i) => Enumerable.Range(0, 2).Select(j => new Thread(() =>
            {
                var w = WorkerInfo.ForThisProcess($"s{i}t{j}");
                try
                {
                    while (s.Claim(info.Id, new ClaimRequest(w, target, TimeSpan.FromMinutes(1), 1,
                        _ => new TrialPlan(new() { ["x"] = Interlocked.Increment(ref drawn) / 1000.0 }))) is { } t)
                        s.Finish(t.Id, TrialState.Complete, 0, null);
                }
                catch (StudyStorageException e) { errors.Add(e.Message); }   // e.g. two claims took the same number
            }))).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Empty(errors);
            var trials = stores[0].Trials(info.Id);
            Assert.Equal(Enumerable.Range(0, target), trials.Select(t => t.Number));
            Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
            Assert.Equal(target, trials.Select(t => (double)t.Params["x"]).Distinct().Count());
        }
        finally { stores.ForEach(s => s.Dispose()); }
    }

    [PostgresFact]
    public void TheSchemaIsVersionedMigratedAndANewerOneIsRefused()
    {
        string url = Server.CreateDatabase();
        var space = new SearchSpace().Add("x", new UniformDistribution(0, 1));
        using (var v1 = new PostgresStudyStore(PostgresUrl.Parse(url), schemaVersion: 1))
        {
            Assert.Equal(1, v1.StoredSchemaVersion());
            v1.OpenStudy("old", space, Direction.Minimize, "loss");
        }
        using (var store = new PostgresStudyStore(url))
        {
            Assert.Equal(store.SchemaVersion, store.StoredSchemaVersion());
            Assert.True(store.SchemaVersion >= 2);
            var info = store.FindStudy("old")!;   // the data of version 1 is still there, and usable
            var t = store.Claim(info.Id, new ClaimRequest(WorkerInfo.ForThisProcess("m"), 1, TimeSpan.FromMinutes(1), 1, _ => new TrialPlan(new() { ["x"] = 0.5 })))!;
            Assert.Equal(0.5, (double)store.Trials(info.Id).Single(r => r.Id == t.Id).Params["x"]);
        }
        using (var c = new Npgsql.NpgsqlConnection($"Host={Server.Root};Port={Server.Port};Username={PostgresServer.User};Database={PostgresServer.DatabaseOf(url)};Pooling=false"))
        {
            c.Open();
            using var cmd = new Npgsql.NpgsqlCommand("INSERT INTO studies_schema (version) VALUES (99)", c);
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<StudyStorageException>(() => new PostgresStudyStore(url));
        Assert.Contains("schema version 99", e.Message);
    }

    [PostgresFact]
    public void AWrongPasswordOrAnAbsentServerIsOneLineWithoutThePassword()
    {
        string db = PostgresServer.DatabaseOf(Server.CreateDatabase());
        using (var ok = new PostgresStudyStore(Server.TcpUrl(db)))
            Assert.Empty(ok.Studies());   // the right password over TCP works
        const string wrong = "Wr0ng-pa55-qwerty";
        var e = Assert.Throws<StudyStorageException>(() => new PostgresStudyStore(Server.TcpUrl(db, wrong)));
        Assert.DoesNotContain(wrong, e.Message);
        Assert.Contains("password authentication failed", e.Message);
        Assert.Contains(":***@", e.Message);
        var absent = $"postgresql://{PostgresServer.User}:{wrong}@127.0.0.1:1/{db}";
        e = Assert.Throws<StudyStorageException>(() => new PostgresStudyStore(absent));
        Assert.DoesNotContain(wrong, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UrlsParseAndNeverShowThePassword()
    {
        var u = PostgresUrl.Parse("postgresql://ann:p%40ss%3Aw0rd@db.example.org:6543/studies?sslmode=verify-full&connect_timeout=7&application_name=w1");
        Assert.Equal("ann", u.Builder.Username);
        Assert.Equal("p@ss:w0rd", u.Builder.Password);
        Assert.Equal("db.example.org", u.Builder.Host);
        Assert.Equal(6543, u.Builder.Port);
        Assert.Equal("studies", u.Builder.Database);
        Assert.Equal(Npgsql.SslMode.VerifyFull, u.Builder.SslMode);
        Assert.Equal(7, u.Builder.Timeout);
        Assert.Equal("postgresql://ann:***@db.example.org:6543/studies?sslmode=verify-full&connect_timeout=7&application_name=w1", u.Redacted);
        Assert.Equal("x *** y ***", u.Scrub("x p@ss:w0rd y p%40ss%3Aw0rd"));
        var q = PostgresUrl.Parse("postgres://bob@/db?host=%2Frun%2Fpostgresql&password=hunter22");
        Assert.Equal("/run/postgresql", q.Builder.Host);
        Assert.DoesNotContain("hunter22", q.Redacted);
        Assert.Equal("localhost", PostgresUrl.Parse("postgresql:///db").Builder.Host);
        var bad = Assert.Throws<ArgumentException>(() => PostgresUrl.Parse("postgresql://u:topsecret@h/db?nonsense=1"));
        Assert.Contains("nonsense", bad.Message);
        Assert.DoesNotContain("topsecret", bad.Message);
        Assert.Contains("port", Assert.Throws<ArgumentException>(() => PostgresUrl.Parse("postgresql://u:topsecret@h:99999/db")).Message);
        Assert.DoesNotContain("topsecret", Assert.Throws<ArgumentException>(() => PostgresUrl.Parse("postgresql://u:topsecret@h/db?sslmode=sometimes")).Message);
    }

    [Fact]
    public void TheSqliteSchemaIsVersionedAndMigratedToo()
    {
        string dir = Path.Combine(Path.GetTempPath(), "descent-pgmig-" + Guid.NewGuid().ToString("N"));
        try
        {
            string db = Path.Combine(dir, "descent.db");
            var space = new SearchSpace().Add("x", new UniformDistribution(0, 1)).Add("a", new UniformDistribution(0, 1));
            using (var v1 = new StudyStore(db, schemaVersion: 1)) v1.OpenStudy("old", space, Direction.Minimize, "loss");
            using var store = new StudyStore(db);
            Assert.Equal(store.SchemaVersion, store.StoredSchemaVersion());
            var info = store.FindStudy("old")!;
            var t = store.Claim(info.Id, new ClaimRequest(WorkerInfo.ForThisProcess("m"), 1, TimeSpan.FromMinutes(1), 1, _ => new TrialPlan(new() { ["x"] = 0.5, ["a"] = 0.1 })))!;
            Assert.Equal(["x", "a"], store.Trials(info.Id).Single(r => r.Id == t.Id).Params.Keys);
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }
}
