using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Descent.Storage;

/// <summary>
/// Hyperparameter studies in the run database (SQLite), the embedded default. Several <c>descent tune</c> processes
/// share a study safely: a claim is one <c>BEGIN IMMEDIATE</c> transaction (the write lock is taken before the trials are
/// read), so no trial is run twice and the target is never overshot; a running trial holds a lease that its worker
/// renews, and a trial whose lease expired — or whose process on this host is gone — is marked failed at the next
/// claim and retried. The queries are <see cref="SqlStudyStorage"/>'s, shared with <see cref="PostgresStudyStore"/>.
/// </summary>
public sealed class StudyStore : SqlStudyStorage
{
    private readonly SqliteConnection _db;
    private readonly object _lock = new();

    /// <summary>Opens (creating if needed) the study tables of the SQLite database at <paramref name="path"/>, migrated to <see cref="SqlStudyStorage.SchemaVersion"/>.</summary>
    public StudyStore(string path) : this(path, null) { }

    /// <summary>Opens the database, migrating its schema only up to <paramref name="schemaVersion"/> (tests of the migrations).</summary>
    internal StudyStore(string path, int? schemaVersion)
    {
        Path = path;
        _db = Sqlite.Open(path);
        try { Migrate(schemaVersion); }
        catch
        {
            _db.Dispose();   // a damaged or full database: the file is not left open
            throw;
        }
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string Location => Path;

    /// <inheritdoc />
    public override void Dispose() => _db.Dispose();

    /// <summary>
    /// Version 1: the tables as first written (a database made before versions adopts them as they are);
    /// version 2: each parameter's position within its trial, so trials keep their parameters' order.
    /// </summary>
    protected override IReadOnlyList<string> Migrations { get; } =
    [
        """
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
        """,
        """
        ALTER TABLE trial_params ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
        UPDATE trial_params SET position = rowid;
        """,
    ];

    /// <inheritdoc />
    protected override T Use<T>(Func<DbConnection, T> work, bool patient = true)
    {
        lock (_lock) return work(_db);   // one connection, one caller at a time; the busy timeout waits out other processes
    }

    /// <inheritdoc />
    protected override DbTransaction BeginMigration(DbConnection c) => ((SqliteConnection)c).BeginTransaction(deferred: false);

    /// <inheritdoc />
    protected override DbTransaction BeginClaim(DbConnection c, long studyId) =>
        ((SqliteConnection)c).BeginTransaction(deferred: false);   // BEGIN IMMEDIATE: the write lock before the read
}
