using Microsoft.Data.Sqlite;

namespace Descent.Storage;

/// <summary>
/// Opens the run database (SQLite, default <c>./runs/descent.db</c>) with write-ahead logging and a busy
/// timeout, so several processes can share it and a killed process leaves it consistent.
/// </summary>
public static class Sqlite
{
    /// <summary>The default database path, relative to the working directory.</summary>
    public const string DefaultPath = "runs/descent.db";

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> in WAL mode.</summary>
    public static SqliteConnection Open(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        try
        {
            c.Open();
            Execute(c, "PRAGMA journal_mode=WAL;");
            Execute(c, "PRAGMA synchronous=NORMAL;");
            Execute(c, "PRAGMA busy_timeout=30000;");
            Execute(c, "PRAGMA foreign_keys=ON;");
            return c;
        }
        catch
        {
            c.Dispose();   // not a database, a full disk: the file is not left open
            throw;
        }
    }

    /// <summary>Runs a statement that returns nothing.</summary>
    public static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }
}
