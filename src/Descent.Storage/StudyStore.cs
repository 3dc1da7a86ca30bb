using System.Globalization;
using Descent.Tuning;
using Microsoft.Data.Sqlite;

namespace Descent.Storage;

/// <summary>
/// Hyperparameter studies in the run database (SQLite): tables <c>studies</c>, <c>trials</c>, <c>trial_params</c>,
/// <c>trial_metrics</c>. Several <c>descent tune</c> processes share a study safely: a claim is one
/// <c>BEGIN IMMEDIATE</c> transaction (the write lock is taken before the trials are read), so no trial is run twice and
/// the target is never overshot; a running trial holds a lease that its worker renews, and a trial whose lease
/// expired — or whose process on this host is gone — is marked failed at the next claim and retried.
/// </summary>
public sealed class StudyStore : IStudyStorage, IDisposable
{
    private readonly SqliteConnection _db;
    private readonly object _lock = new();

    public StudyStore(string path)
    {
        Path = path;
        _db = Sqlite.Open(path);
        try { lock (_lock) CreateSchema(); }
        catch
        {
            _db.Dispose();   // a damaged or full database: the file is not left open
            throw;
        }
    }

    public string Path { get; }

    /// <summary>The clock (tests move it to expire leases).</summary>
    public Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

    public void Dispose() => _db.Dispose();

    private void CreateSchema()
    {
        using var tx = _db.BeginTransaction();
        Sqlite.Execute(_db, """
            CREATE TABLE IF NOT EXISTS studies (
              id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, space_json TEXT NOT NULL,
              direction TEXT NOT NULL, metric TEXT NOT NULL, created INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS trials (
              id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
              number INTEGER NOT NULL, state TEXT NOT NULL, value REAL, round INTEGER NOT NULL DEFAULT 0,
              retry_of INTEGER, resumed_from INTEGER, worker TEXT, host TEXT, pid INTEGER, lease_until INTEGER,
              started INTEGER NOT NULL, finished INTEGER, note TEXT, UNIQUE (study_id, number));
            CREATE TABLE IF NOT EXISTS trial_params (
              trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE, name TEXT NOT NULL,
              kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (trial_id, name));
            CREATE TABLE IF NOT EXISTS trial_metrics (
              trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE, epoch INTEGER NOT NULL,
              value REAL, PRIMARY KEY (trial_id, epoch));
            CREATE INDEX IF NOT EXISTS trials_by_study ON trials (study_id, state);
            """, tx);
        tx.Commit();
    }

    public StudyInfo OpenStudy(string name, SearchSpace space, Direction direction, string metric)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            var existing = Find(name, tx);
            if (existing != null)
            {
                if (existing.Direction != direction)
                    throw new ArgumentException($"Study '{name}' exists with direction {existing.Direction}, not {direction}.");
                tx.Commit();
                return existing;
            }
            using var cmd = Cmd("INSERT INTO studies (name, space_json, direction, metric, created) VALUES ($n, $s, $d, $m, $c) RETURNING id", tx,
                ("$n", name), ("$s", space.ToJson()), ("$d", direction.ToString()), ("$m", metric), ("$c", Ms(Clock())));
            long id = (long)cmd.ExecuteScalar()!;
            tx.Commit();
            return new StudyInfo(id, name, space.ToJson(), direction, metric, Clock());
        }
    }

    public StudyInfo? FindStudy(string name) { lock (_lock) return Find(name, null); }

    public IReadOnlyList<StudyInfo> Studies()
    {
        lock (_lock)
        {
            using var cmd = Cmd("SELECT id, name, space_json, direction, metric, created FROM studies ORDER BY id", null);
            using var r = cmd.ExecuteReader();
            var list = new List<StudyInfo>();
            while (r.Read()) list.Add(ReadStudy(r));
            return list;
        }
    }

    public IReadOnlyList<TrialRecord> Trials(long studyId) { lock (_lock) return Load(studyId, null); }

    public TrialRecord? Claim(long studyId, ClaimRequest request)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock before the read
            var now = Clock();
            var trials = Load(studyId, tx);
            foreach (var t in TrialQueue.Stale(trials, now, TrialQueue.ProcessAlive).ToList())
            {
                Exec("UPDATE trials SET state = 'failed', finished = $f, lease_until = NULL, note = $n WHERE id = $id", tx,
                    ("$f", Ms(now)), ("$n", "worker lost (lease expired or process gone)"), ("$id", t.Id));
                t.State = TrialState.Failed;
            }
            var plan = TrialQueue.Next(trials, request);
            if (plan == null) { tx.Commit(); return null; }
            int number = trials.Count == 0 ? 0 : trials.Max(t => t.Number) + 1;
            var w = request.Worker;
            var lease = now + request.Lease;
            using var ins = Cmd("""
                INSERT INTO trials (study_id, number, state, round, retry_of, resumed_from, worker, host, pid, lease_until, started)
                VALUES ($s, $num, 'running', $r, $retry, $res, $w, $h, $pid, $lease, $start) RETURNING id
                """, tx, ("$s", studyId), ("$num", number), ("$r", plan.Round), ("$retry", plan.RetryOf), ("$res", plan.ResumedFrom),
                ("$w", w.Worker), ("$h", w.Host), ("$pid", w.Pid), ("$lease", Ms(lease)), ("$start", Ms(now)));
            long id = (long)ins.ExecuteScalar()!;
            foreach (var (name, value) in plan.Params)
            {
                var (kind, text) = Encode(value);
                Exec("INSERT INTO trial_params (trial_id, name, kind, value) VALUES ($t, $n, $k, $v)", tx, ("$t", id), ("$n", name), ("$k", kind), ("$v", text));
            }
            tx.Commit();
            return new TrialRecord
            {
                Id = id, Number = number, State = TrialState.Running, Params = new(plan.Params), Round = plan.Round, RetryOf = plan.RetryOf,
                ResumedFrom = plan.ResumedFrom, Worker = w.Worker, Host = w.Host, Pid = w.Pid, LeaseUntil = lease, Started = now,
            };
        }
    }

    public bool Heartbeat(long trialId, DateTime leaseUntil)
    {
        lock (_lock)
            return Exec("UPDATE trials SET lease_until = $l WHERE id = $id AND state = 'running'", null, ("$l", Ms(leaseUntil)), ("$id", trialId)) == 1;
    }

    public void ReportEpoch(long trialId, EpochMetric metric)
    {
        lock (_lock)
            Exec("INSERT OR REPLACE INTO trial_metrics (trial_id, epoch, value) VALUES ($t, $e, $v)", null,
                ("$t", trialId), ("$e", metric.Epoch), ("$v", double.IsNaN(metric.Value) ? null : metric.Value));
    }

    public bool Finish(long trialId, TrialState state, double? value, string? note)
    {
        lock (_lock)
            return Exec("UPDATE trials SET state = $s, value = $v, note = $n, finished = $f, lease_until = NULL WHERE id = $id AND state = 'running'", null,
                ("$s", StateName(state)), ("$v", value is { } d && !double.IsNaN(d) ? d : null), ("$n", note), ("$f", Ms(Clock())), ("$id", trialId)) == 1;
    }

    /// <summary>Adds a trial row as is (tests: a trial left running by a killed worker).</summary>
    internal void Insert(long studyId, TrialRecord t)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using var ins = Cmd("""
                INSERT INTO trials (study_id, number, state, round, worker, host, pid, lease_until, started)
                VALUES ($s, $num, $st, $r, $w, $h, $pid, $lease, $start) RETURNING id
                """, tx, ("$s", studyId), ("$num", t.Number), ("$st", StateName(t.State)), ("$r", t.Round), ("$w", t.Worker), ("$h", t.Host),
                ("$pid", t.Pid), ("$lease", t.LeaseUntil is { } l ? Ms(l) : null), ("$start", Ms(t.Started)));
            long id = (long)ins.ExecuteScalar()!;
            foreach (var (name, value) in t.Params)
            {
                var (kind, text) = Encode(value);
                Exec("INSERT INTO trial_params (trial_id, name, kind, value) VALUES ($t, $n, $k, $v)", tx, ("$t", id), ("$n", name), ("$k", kind), ("$v", text));
            }
            tx.Commit();
        }
    }

    private List<TrialRecord> Load(long studyId, SqliteTransaction? tx)
    {
        var trials = new Dictionary<long, TrialRecord>();
        using (var cmd = Cmd("""
            SELECT id, number, state, value, round, retry_of, resumed_from, worker, host, pid, lease_until, started, finished, note
            FROM trials WHERE study_id = $s ORDER BY number
            """, tx, ("$s", studyId)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                trials[r.GetInt64(0)] = new TrialRecord
                {
                    Id = r.GetInt64(0), Number = r.GetInt32(1), State = ParseState(r.GetString(2)), Value = r.IsDBNull(3) ? null : r.GetDouble(3),
                    Round = r.GetInt32(4), RetryOf = r.IsDBNull(5) ? null : r.GetInt32(5), ResumedFrom = r.IsDBNull(6) ? null : r.GetInt32(6),
                    Worker = r.IsDBNull(7) ? null : r.GetString(7), Host = r.IsDBNull(8) ? null : r.GetString(8), Pid = r.IsDBNull(9) ? null : r.GetInt32(9),
                    LeaseUntil = r.IsDBNull(10) ? null : FromMs(r.GetInt64(10)), Started = FromMs(r.GetInt64(11)),
                    Finished = r.IsDBNull(12) ? null : FromMs(r.GetInt64(12)), Note = r.IsDBNull(13) ? null : r.GetString(13),
                };
        using (var cmd = Cmd("SELECT p.trial_id, p.name, p.kind, p.value FROM trial_params p JOIN trials t ON t.id = p.trial_id WHERE t.study_id = $s ORDER BY p.rowid", tx, ("$s", studyId)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (trials.TryGetValue(r.GetInt64(0), out var t)) t.Params[r.GetString(1)] = Decode(r.GetString(2), r.GetString(3));
        using (var cmd = Cmd("SELECT m.trial_id, m.epoch, m.value FROM trial_metrics m JOIN trials t ON t.id = m.trial_id WHERE t.study_id = $s ORDER BY m.trial_id, m.epoch", tx, ("$s", studyId)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (trials.TryGetValue(r.GetInt64(0), out var t)) t.Epochs.Add(new EpochMetric(r.GetInt32(1), r.IsDBNull(2) ? double.NaN : r.GetDouble(2)));
        return [.. trials.Values.OrderBy(t => t.Number)];
    }

    private StudyInfo? Find(string name, SqliteTransaction? tx)
    {
        using var cmd = Cmd("SELECT id, name, space_json, direction, metric, created FROM studies WHERE name = $n", tx, ("$n", name));
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadStudy(r) : null;
    }

    private static StudyInfo ReadStudy(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), Enum.Parse<Direction>(r.GetString(3)), r.GetString(4), FromMs(r.GetInt64(5)));

    private static (string Kind, string Text) Encode(object v) => v switch
    {
        double d => ("f", d.ToString("R", CultureInfo.InvariantCulture)),
        float f => ("f", ((double)f).ToString("R", CultureInfo.InvariantCulture)),
        long l => ("i", l.ToString(CultureInfo.InvariantCulture)),
        int i => ("i", i.ToString(CultureInfo.InvariantCulture)),
        _ => ("s", Convert.ToString(v, CultureInfo.InvariantCulture) ?? ""),
    };

    private static object Decode(string kind, string text) => kind switch
    {
        "f" => double.Parse(text, CultureInfo.InvariantCulture),
        "i" => long.Parse(text, CultureInfo.InvariantCulture),
        _ => text,
    };

    private static string StateName(TrialState s) => s.ToString().ToLowerInvariant();
    private static TrialState ParseState(string s) => Enum.Parse<TrialState>(s, ignoreCase: true);
    private static long Ms(DateTime t) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
    private static DateTime FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;

    private SqliteCommand Cmd(string sql, SqliteTransaction? tx, params (string Name, object? Value)[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd;
    }

    private int Exec(string sql, SqliteTransaction? tx, params (string Name, object? Value)[] args)
    {
        using var cmd = Cmd(sql, tx, args);
        return cmd.ExecuteNonQuery();
    }
}
