using System.Data.Common;
using System.Globalization;
using Descent.Tuning;

namespace Descent.Storage;

/// <summary>
/// Studies in a relational database: tables <c>studies</c>, <c>trials</c>, <c>trial_params</c>, <c>trial_metrics</c> and
/// <c>studies_schema</c> (the schema version). Every query and the claim logic live here, written once in the SQL that
/// SQLite and PostgreSQL share (<c>@name</c> parameters, <c>RETURNING</c>, <c>ON CONFLICT … DO UPDATE</c>, times as
/// Unix milliseconds); a back-end supplies its connections, the lock a claim takes, and its migrations.
/// </summary>
/// <remarks>
/// A claim is one transaction that holds the study's write lock (<see cref="BeginClaim"/>) before it reads the trials:
/// stale running trials are marked failed, the target is counted, and the next trial (a retry or a new sample) is
/// inserted, so concurrent workers never run the same trial and never overshoot the target. The next trial depends on
/// the whole history (the count, the retries, TPE's and coarse to fine's view), so claims of one study are serialized
/// rather than picked from a queue.
/// </remarks>
public abstract class SqlStudyStorage : IStudyStorage, IDisposable
{
    /// <summary>
    /// Opens the storage <paramref name="location"/> names: a <c>postgresql://</c> (or <c>postgres://</c>) URL, else the
    /// path of a SQLite file. <paramref name="log"/> hears when a PostgreSQL server goes away and comes back.
    /// </summary>
    public static SqlStudyStorage Open(string location, Action<string>? log = null) =>
        PostgresUrl.IsPostgres(location) ? new PostgresStudyStore(location) { Log = log } : new StudyStore(location);

    /// <summary>The clock of leases and timestamps (tests move it to expire leases).</summary>
    public Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

    /// <summary>The schema version this code writes (the number of <see cref="Migrations"/>).</summary>
    public int SchemaVersion => Migrations.Count;

    /// <summary>Where the studies are, as a person may see it (never with a password).</summary>
    public abstract string Location { get; }

    /// <summary>The migrations in order: entry <c>v</c> takes the schema from version <c>v</c> to <c>v + 1</c>.</summary>
    protected abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>
    /// Runs <paramref name="work"/> on an open connection. <paramref name="patient"/>: an operation a worker must not
    /// lose (a claim, a metric, a result) waits out a database that is briefly unreachable; a heartbeat does not.
    /// </summary>
    protected abstract T Use<T>(Func<DbConnection, T> work, bool patient = true);

    /// <summary>Begins the transaction of a migration, holding a lock that keeps concurrent migrations out.</summary>
    protected abstract DbTransaction BeginMigration(DbConnection c);

    /// <summary>Begins the transaction of a claim, holding study <paramref name="studyId"/>'s write lock before anything is read.</summary>
    protected abstract DbTransaction BeginClaim(DbConnection c, long studyId);

    /// <inheritdoc />
    public abstract void Dispose();

    /// <summary>Brings the schema to <paramref name="target"/> (default: <see cref="SchemaVersion"/>); refuses a newer one.</summary>
    protected internal void Migrate(int? target = null) => Use(c =>
    {
        using var tx = BeginMigration(c);
        Exec(c, tx, "CREATE TABLE IF NOT EXISTS studies_schema (version INTEGER NOT NULL)");
        long version = Convert.ToInt64(Scalar(c, tx, "SELECT COALESCE(MAX(version), 0) FROM studies_schema"), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
            throw new StudyStorageException($"the study storage {Location} has schema version {version}; this Descent understands up to {SchemaVersion}. Use a newer Descent.");
        for (long v = version; v < (target ?? SchemaVersion); v++)
        {
            Exec(c, tx, Migrations[(int)v]);
            Exec(c, tx, "INSERT INTO studies_schema (version) VALUES (@v)", ("@v", (int)v + 1));
        }
        tx.Commit();
        return 0;
    });

    /// <summary>The schema version stored.</summary>
    public int StoredSchemaVersion() =>
        Use(c => Convert.ToInt32(Scalar(c, null, "SELECT COALESCE(MAX(version), 0) FROM studies_schema"), CultureInfo.InvariantCulture));

    /// <inheritdoc />
    public StudyInfo OpenStudy(string name, SearchSpace space, Direction direction, string metric) => Use(c =>
    {
        using var tx = c.BeginTransaction();
        var existing = Find(c, tx, name);
        if (existing != null)
        {
            if (existing.Direction != direction)
                throw new ArgumentException($"Study '{name}' exists with direction {existing.Direction}, not {direction}.");
            tx.Commit();
            return existing;
        }
        // ON CONFLICT: two workers opening a new study at once both get the one row.
        var now = Clock();
        Exec(c, tx, "INSERT INTO studies (name, space_json, direction, metric, created) VALUES (@n, @s, @d, @m, @c) ON CONFLICT (name) DO NOTHING",
            ("@n", name), ("@s", space.ToJson()), ("@d", direction.ToString()), ("@m", metric), ("@c", Ms(now)));
        var info = Find(c, tx, name)!;
        tx.Commit();
        return info.Direction == direction ? info : throw new ArgumentException($"Study '{name}' exists with direction {info.Direction}, not {direction}.");
    });

    /// <inheritdoc />
    public StudyInfo? FindStudy(string name) => Use(c => Find(c, null, name));

    /// <inheritdoc />
    public IReadOnlyList<StudyInfo> Studies() => Use(c =>
    {
        using var cmd = Cmd(c, null, "SELECT id, name, space_json, direction, metric, created FROM studies ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<StudyInfo>();
        while (r.Read()) list.Add(ReadStudy(r));
        return list;
    });

    /// <inheritdoc />
    public IReadOnlyList<TrialRecord> Trials(long studyId) => Use(c => Load(c, null, studyId));

    /// <inheritdoc />
    public TrialRecord? Claim(long studyId, ClaimRequest request) => Use(c =>
    {
        using var tx = BeginClaim(c, studyId);
        var now = Clock();
        var trials = Load(c, tx, studyId);
        foreach (var t in TrialQueue.Stale(trials, now, TrialQueue.ProcessAlive).ToList())
        {
            Exec(c, tx, "UPDATE trials SET state = 'failed', finished = @f, lease_until = NULL, note = @n WHERE id = @id",
                ("@f", Ms(now)), ("@n", "worker lost (lease expired or process gone)"), ("@id", t.Id));
            t.State = TrialState.Failed;
        }
        var w = request.Worker;
        // A worker holds one trial at a time: a running one of its own is a claim whose commit was made but whose
        // answer was lost with the connection; it is that claim, not a new one.
        if (trials.FirstOrDefault(t => t.State == TrialState.Running && t.Worker == w.Worker) is { } mine) { tx.Commit(); return mine; }
        var plan = TrialQueue.Next(trials, request);
        if (plan == null) { tx.Commit(); return null; }
        int number = trials.Count == 0 ? 0 : trials.Max(t => t.Number) + 1;
        var lease = now + request.Lease;
        var trial = new TrialRecord
        {
            Number = number, State = TrialState.Running, Params = new(plan.Params), Round = plan.Round, RetryOf = plan.RetryOf,
            ResumedFrom = plan.ResumedFrom, Worker = w.Worker, Host = w.Host, Pid = w.Pid, LeaseUntil = lease, Started = now,
        };
        trial.Id = InsertTrial(c, tx, studyId, trial);
        tx.Commit();
        return trial;
    });

    /// <inheritdoc />
    public bool Heartbeat(long trialId, DateTime leaseUntil) => Use(c =>
        Exec(c, null, "UPDATE trials SET lease_until = @l WHERE id = @id AND state = 'running'", ("@l", Ms(leaseUntil)), ("@id", trialId)) == 1,
        patient: false);

    /// <inheritdoc />
    public void ReportEpoch(long trialId, EpochMetric metric) => Use(c => Exec(c, null, """
        INSERT INTO trial_metrics (trial_id, epoch, value) VALUES (@t, @e, @v)
        ON CONFLICT (trial_id, epoch) DO UPDATE SET value = excluded.value
        """, ("@t", trialId), ("@e", metric.Epoch), ("@v", double.IsNaN(metric.Value) ? null : metric.Value)));

    /// <inheritdoc />
    public bool Finish(long trialId, TrialState state, double? value, string? note) => Use(c =>
        Exec(c, null, "UPDATE trials SET state = @s, value = @v, note = @n, finished = @f, lease_until = NULL WHERE id = @id AND state = 'running'",
            ("@s", StateName(state)), ("@v", value is { } d && !double.IsNaN(d) ? d : null), ("@n", note), ("@f", Ms(Clock())), ("@id", trialId)) == 1);

    /// <summary>Adds a trial row as is (tests: a trial left running by a killed worker).</summary>
    internal void Insert(long studyId, TrialRecord t) => Use(c =>
    {
        using var tx = c.BeginTransaction();
        InsertTrial(c, tx, studyId, t);
        tx.Commit();
        return 0;
    });

    private static long InsertTrial(DbConnection c, DbTransaction tx, long studyId, TrialRecord t)
    {
        using var ins = Cmd(c, tx, """
            INSERT INTO trials (study_id, number, state, round, retry_of, resumed_from, worker, host, pid, lease_until, started)
            VALUES (@s, @num, @st, @r, @retry, @res, @w, @h, @pid, @lease, @start) RETURNING id
            """, ("@s", studyId), ("@num", t.Number), ("@st", StateName(t.State)), ("@r", t.Round), ("@retry", t.RetryOf), ("@res", t.ResumedFrom),
            ("@w", t.Worker), ("@h", t.Host), ("@pid", t.Pid), ("@lease", t.LeaseUntil is { } l ? Ms(l) : null), ("@start", Ms(t.Started)));
        long id = Convert.ToInt64(ins.ExecuteScalar(), CultureInfo.InvariantCulture);
        int position = 0;
        foreach (var (name, value) in t.Params)
        {
            var (kind, text) = Encode(value);
            Exec(c, tx, "INSERT INTO trial_params (trial_id, name, kind, value, position) VALUES (@t, @n, @k, @v, @p)",
                ("@t", id), ("@n", name), ("@k", kind), ("@v", text), ("@p", position++));
        }
        return id;
    }

    private static List<TrialRecord> Load(DbConnection c, DbTransaction? tx, long studyId)
    {
        var trials = new Dictionary<long, TrialRecord>();
        using (var cmd = Cmd(c, tx, """
            SELECT id, number, state, value, round, retry_of, resumed_from, worker, host, pid, lease_until, started, finished, note
            FROM trials WHERE study_id = @s ORDER BY number
            """, ("@s", studyId)))
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
        using (var cmd = Cmd(c, tx, "SELECT p.trial_id, p.name, p.kind, p.value FROM trial_params p JOIN trials t ON t.id = p.trial_id WHERE t.study_id = @s ORDER BY p.trial_id, p.position", ("@s", studyId)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (trials.TryGetValue(r.GetInt64(0), out var t)) t.Params[r.GetString(1)] = Decode(r.GetString(2), r.GetString(3));
        using (var cmd = Cmd(c, tx, "SELECT m.trial_id, m.epoch, m.value FROM trial_metrics m JOIN trials t ON t.id = m.trial_id WHERE t.study_id = @s ORDER BY m.trial_id, m.epoch", ("@s", studyId)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                if (trials.TryGetValue(r.GetInt64(0), out var t)) t.Epochs.Add(new EpochMetric(r.GetInt32(1), r.IsDBNull(2) ? double.NaN : r.GetDouble(2)));
        return [.. trials.Values.OrderBy(t => t.Number)];
    }

    private static StudyInfo? Find(DbConnection c, DbTransaction? tx, string name)
    {
        using var cmd = Cmd(c, tx, "SELECT id, name, space_json, direction, metric, created FROM studies WHERE name = @n", ("@n", name));
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadStudy(r) : null;
    }

    private static StudyInfo ReadStudy(DbDataReader r) =>
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

    /// <summary>A command with <c>@name</c> parameters (null values sent as SQL NULL).</summary>
    protected static DbCommand Cmd(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = n;
            p.Value = v ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    /// <summary>Runs a statement; the number of rows it changed.</summary>
    protected static int Exec(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Cmd(c, tx, sql, args);
        return cmd.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row.</summary>
    protected static object? Scalar(DbConnection c, DbTransaction? tx, string sql)
    {
        using var cmd = Cmd(c, tx, sql);
        return cmd.ExecuteScalar();
    }
}

/// <summary>The study storage cannot be used (unreachable, refused, too new); the message is one line and never holds a password.</summary>
public sealed class StudyStorageException(string message) : Exception(message);
