using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;

namespace Descent.Storage;

/// <summary>
/// Records of training runs in SQLite (default <c>./runs/descent.db</c>): each run's configuration, per-epoch
/// metrics, final results, checkpoint path and status. Every change is one transaction and the database is in
/// WAL mode (<see cref="Sqlite.Open"/>), so a process killed at any point leaves it consistent: a change is in
/// or out, never half in. Tables: <c>runs</c>, <c>run_epochs</c>, <c>runs_schema</c> (version).
/// </summary>
/// <remarks>
/// A run records the process that runs it (host, pid and the process's start time, so a reused pid is not mistaken for
/// it). A run still marked running whose process on this host is gone reads as <see cref="RunStatus.Interrupted"/>; its
/// epochs up to the kill are kept, and <see cref="Claim"/> (on resume) makes it running again under the new process.
/// </remarks>
public sealed class RunStore : IDisposable
{
    /// <summary>The schema version this code writes.</summary>
    public const int SchemaVersion = 2;

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private readonly SqliteConnection _db;

    private RunStore(SqliteConnection db, string path)
    {
        _db = db;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating or migrating) the run tables of the database at <paramref name="path"/>.</summary>
    public static RunStore Open(string path = Sqlite.DefaultPath)
    {
        var db = Sqlite.Open(path);
        try
        {
            Migrate(db);
            return new RunStore(db, path);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private static void Migrate(SqliteConnection db)
    {
        using var tx = db.BeginTransaction();
        Sqlite.Execute(db, "CREATE TABLE IF NOT EXISTS runs_schema (version INTEGER NOT NULL);", tx);
        long version = Scalar<long?>(db, tx, "SELECT MAX(version) FROM runs_schema;") ?? 0;
        if (version > SchemaVersion)
            throw new InvalidOperationException($"The run database has schema version {version}; this Descent understands up to {SchemaVersion}. Use a newer Descent or another --db.");
        if (version < 1)
        {
            Sqlite.Execute(db, """
                CREATE TABLE IF NOT EXISTS runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'diverged')),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    finished_at TEXT,
                    config_json TEXT NOT NULL,
                    results_json TEXT,
                    checkpoint_path TEXT,
                    message TEXT);
                CREATE TABLE IF NOT EXISTS run_epochs (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    epoch INTEGER NOT NULL,
                    metrics_json TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    PRIMARY KEY (run_id, epoch));
                INSERT INTO runs_schema (version) VALUES (1);
                """, tx);
        }
        if (version < 2)
        {
            // v2: the process that runs a run ("host|pid|start ticks"), to tell a killed run from a live one.
            Sqlite.Execute(db, "ALTER TABLE runs ADD COLUMN owner TEXT; INSERT INTO runs_schema (version) VALUES (2);", tx);
        }
        tx.Commit();
    }

    /// <summary>Records a new run in status running; returns its id.</summary>
    public long CreateRun(string configJson, string? name = null)
    {
        CheckJson(configJson, "config");
        string now = Now();
        using var tx = _db.BeginTransaction();
        long id = Scalar<long>(_db, tx,
            "INSERT INTO runs (name, status, created_at, updated_at, config_json, owner) VALUES ($name, 'running', $now, $now, $config, $owner) RETURNING id;",
            ("$name", name), ("$now", now), ("$config", configJson), ("$owner", ThisProcess()));
        tx.Commit();
        return id;
    }

    /// <summary>Marks a run (e.g. one being resumed) running again, under this process; clears its end.</summary>
    public void Claim(long runId)
    {
        string now = Now();
        using var tx = _db.BeginTransaction();
        RequireRun(runId, tx);
        Exec(tx, "UPDATE runs SET status = 'running', owner = $owner, finished_at = NULL, message = NULL, updated_at = $now WHERE id = $id;",
            ("$owner", ThisProcess()), ("$now", now), ("$id", runId));
        tx.Commit();
    }

    /// <summary>
    /// The run a resumed checkpoint continues. A checkpoint names its run (<paramref name="savedRunId"/>), and so does
    /// every copy of its folder; so the run continues (<see cref="Claim"/>) only when the checkpoint is read from and
    /// written to the very folder the run records (the same real path, symbolic links resolved). A copy, a moved folder,
    /// a branch into another <c>--out</c>, or a run this database does not hold becomes a new run, and the original's
    /// record is left as it was.
    /// </summary>
    /// <param name="savedRunId">The run id saved in the checkpoint, or null.</param>
    /// <param name="readFrom">The folder the checkpoint was loaded from.</param>
    /// <param name="writeTo">The folder the resumed run saves its checkpoints in.</param>
    /// <param name="configJson">The configuration, for a new run.</param>
    public ResumedRun Resume(long? savedRunId, string readFrom, string writeTo, string configJson)
    {
        string? recorded = savedRunId is long id ? GetRun(id)?.CheckpointPath : null;
        if (recorded is not null && Descent.Serialization.OutputFolder.IsSame(recorded, readFrom) && Descent.Serialization.OutputFolder.IsSame(recorded, writeTo))
        {
            Claim(savedRunId!.Value);
            return new ResumedRun(savedRunId.Value, null, recorded);
        }
        long created = CreateRun(configJson, savedRunId is long from ? $"from run {from}" : null);
        return new ResumedRun(created, savedRunId, recorded);
    }

    /// <summary>This process as stored in <c>owner</c>: host, pid and start time.</summary>
    private static string ThisProcess()
    {
        using var me = System.Diagnostics.Process.GetCurrentProcess();
        return string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}|{Environment.ProcessId}|{me.StartTime.ToUniversalTime().Ticks}");
    }

    /// <summary>The stored status, or <see cref="RunStatus.Interrupted"/> for a running run whose process on this host is gone.</summary>
    private static RunStatus StatusOf(string stored, string? owner)
    {
        var status = ParseStatus(stored);
        if (status != RunStatus.Running || owner is null) return status;
        var parts = owner.Split('|');
        if (parts.Length != 3 || parts[0] != Environment.MachineName) return status;   // another machine's run: can't tell
        if (!int.TryParse(parts[1], CultureInfo.InvariantCulture, out int pid) || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out long start)) return status;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            // The same pid with another start time is another process (pids are reused); allow the clock's rounding.
            return Math.Abs(p.StartTime.ToUniversalTime().Ticks - start) < TimeSpan.TicksPerSecond ? status : RunStatus.Interrupted;
        }
        catch (ArgumentException) { return RunStatus.Interrupted; }          // no such process
        catch (InvalidOperationException) { return RunStatus.Interrupted; }  // it exited meanwhile
    }

    /// <summary>Records (or, for a resumed run, replaces) the metrics of epoch <paramref name="epoch"/>, and the checkpoint path if given.</summary>
    public void AddEpoch(long runId, int epoch, IReadOnlyDictionary<string, double> metrics, string? checkpointPath = null)
    {
        if (epoch < 0) throw new ArgumentException($"Epoch must be ≥ 0, got {epoch}.");
        string now = Now();
        using var tx = _db.BeginTransaction();
        RequireRun(runId, tx);
        Exec(tx, "INSERT OR REPLACE INTO run_epochs (run_id, epoch, metrics_json, recorded_at) VALUES ($id, $epoch, $m, $now);",
            ("$id", runId), ("$epoch", epoch), ("$m", JsonSerializer.Serialize(metrics, Json)), ("$now", now));
        Exec(tx, "UPDATE runs SET updated_at = $now, checkpoint_path = COALESCE($ckpt, checkpoint_path) WHERE id = $id;",
            ("$now", now), ("$ckpt", checkpointPath), ("$id", runId));
        tx.Commit();
    }

    /// <summary>Ends a run: its status, final results (JSON), checkpoint path and an optional message (e.g. the error).</summary>
    public void Finish(long runId, RunStatus status, string? resultsJson = null, string? checkpointPath = null, string? message = null)
    {
        if (status is RunStatus.Running or RunStatus.Interrupted)
            throw new ArgumentException($"Finish needs a final status (finished, failed or diverged), got {StatusName(status)}.");
        if (resultsJson is not null) CheckJson(resultsJson, "results");
        string now = Now();
        using var tx = _db.BeginTransaction();
        RequireRun(runId, tx);
        Exec(tx, """
            UPDATE runs SET status = $status, results_json = COALESCE($results, results_json), checkpoint_path = COALESCE($ckpt, checkpoint_path),
                message = $message, finished_at = $now, updated_at = $now WHERE id = $id;
            """, ("$status", StatusName(status)), ("$results", resultsJson), ("$ckpt", checkpointPath), ("$message", message), ("$now", now), ("$id", runId));
        tx.Commit();
    }

    /// <summary>The runs, newest first (at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<RunSummary> ListRuns(int limit = int.MaxValue)
    {
        using var cmd = Command(null, """
            SELECT r.id, r.name, r.status, r.created_at, r.finished_at, r.checkpoint_path,
                   (SELECT COUNT(*) FROM run_epochs e WHERE e.run_id = r.id),
                   (SELECT e.metrics_json FROM run_epochs e WHERE e.run_id = r.id ORDER BY e.epoch DESC LIMIT 1), r.owner
            FROM runs r ORDER BY r.id DESC LIMIT $limit;
            """, ("$limit", limit));
        using var rd = cmd.ExecuteReader();
        var list = new List<RunSummary>();
        while (rd.Read())
            list.Add(new RunSummary(rd.GetInt64(0), Str(rd, 1), StatusOf(rd.GetString(2), Str(rd, 8)), Time(rd.GetString(3)), Str(rd, 4) is { } f ? Time(f) : null,
                rd.GetInt32(6), Str(rd, 5), Str(rd, 7) is { } m ? Metrics(m) : null));
        return list;
    }

    /// <summary>One run with all its epochs, or null when there is no run <paramref name="runId"/>.</summary>
    public RunRecord? GetRun(long runId)
    {
        using var tx = _db.BeginTransaction(); // one snapshot for the run and its epochs
        RunRecord? run;
        using (var cmd = Command(tx, "SELECT id, name, status, created_at, updated_at, finished_at, config_json, results_json, checkpoint_path, message, owner FROM runs WHERE id = $id;", ("$id", runId)))
        using (var rd = cmd.ExecuteReader())
        {
            if (!rd.Read()) return null;
            run = new RunRecord(rd.GetInt64(0), Str(rd, 1), StatusOf(rd.GetString(2), Str(rd, 10)), Time(rd.GetString(3)), Time(rd.GetString(4)),
                Str(rd, 5) is { } f ? Time(f) : null, rd.GetString(6), Str(rd, 7), Str(rd, 8), Str(rd, 9), []);
        }
        var epochs = new List<EpochRecord>();
        using (var cmd = Command(tx, "SELECT epoch, metrics_json, recorded_at FROM run_epochs WHERE run_id = $id ORDER BY epoch;", ("$id", runId)))
        using (var rd = cmd.ExecuteReader())
            while (rd.Read()) epochs.Add(new EpochRecord(rd.GetInt32(0), Metrics(rd.GetString(1)), Time(rd.GetString(2))));
        tx.Commit();
        return run with { Epochs = epochs };
    }

    public void Dispose() => _db.Dispose();

    /// <summary>The lower-case name stored for a status.</summary>
    public static string StatusName(RunStatus s) => s.ToString().ToLowerInvariant();

    private static RunStatus ParseStatus(string s) => Enum.Parse<RunStatus>(s, ignoreCase: true);

    private void RequireRun(long runId, SqliteTransaction tx)
    {
        if (Scalar<long>(_db, tx, "SELECT COUNT(*) FROM runs WHERE id = $id;", ("$id", runId)) == 0)
            throw new ArgumentException($"There is no run {runId} in '{Path}'.");
    }

    private static void CheckJson(string json, string what)
    {
        try { using var _ = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ArgumentException($"The run's {what} is not valid JSON ({e.Message}): '{(json.Length > 80 ? json[..80] + "…" : json)}'."); }
    }

    private static Dictionary<string, double> Metrics(string json) => JsonSerializer.Deserialize<Dictionary<string, double>>(json, Json) ?? [];

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string? Str(SqliteDataReader rd, int i) => rd.IsDBNull(i) ? null : rd.GetString(i);

    private SqliteCommand Command(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args) => Make(_db, tx, sql, args);

    private void Exec(SqliteTransaction tx, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(tx, sql, args);
        cmd.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection db, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Make(db, tx, sql, args);
        object? v = cmd.ExecuteScalar();
        if (v is null or DBNull) return default!;
        var t = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(v, t, CultureInfo.InvariantCulture);
    }

    private static SqliteCommand Make(SqliteConnection db, SqliteTransaction? tx, string sql, (string Name, object? Value)[] args)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd;
    }
}

/// <summary>The run a resume records into: <see cref="RunId"/>; when it is a new run, <see cref="CopyOf"/> is the run the
/// checkpoint came from, whose record (with its folder <see cref="OriginalFolder"/>, if known) is left as it was.</summary>
public sealed record ResumedRun(long RunId, long? CopyOf, string? OriginalFolder);
