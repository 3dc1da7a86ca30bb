using Descent.Storage;
using Descent.Tuning;

namespace Descent.Server;

/// <summary>
/// The run and study stores of one database, opened on first use once the file exists (the server never creates it: with
/// no database there are no runs yet) and shared by all requests. A SQLite connection serves one caller at a time, so each
/// read takes the store's lock; the database's WAL mode lets <c>descent train</c> and <c>descent tune</c> write meanwhile.
/// The studies may live elsewhere (<paramref name="studyStorage"/>: a PostgreSQL URL), opened on first use too.
/// </summary>
internal sealed class Stores(string path, string? studyStorage = null) : IDisposable
{
    private readonly object _lock = new();
    private RunStore? _runs;
    private SqlStudyStorage? _studies;

    public string Path { get; } = path;

    /// <summary>Reads the run store; <paramref name="none"/> when there is no database yet.</summary>
    public T Runs<T>(Func<RunStore, T> read, T none)
    {
        lock (_lock)
        {
            if (_runs is null)
            {
                if (!File.Exists(Path)) return none;
                _runs = Open(() => RunStore.Open(Path));
            }
            return read(_runs);
        }
    }

    /// <summary>Reads the study store; <paramref name="none"/> when there is no database yet.</summary>
    public T Studies<T>(Func<IStudyStorage, T> read, T none)
    {
        lock (_lock)
        {
            if (_studies is null)
            {
                if (studyStorage is { } location) _studies = Open(() => SqlStudyStorage.Open(location));
                else if (!File.Exists(Path)) return none;
                else _studies = Open(() => new StudyStore(Path));
            }
            return read(_studies);
        }
    }

    private T Open<T>(Func<T> open)
    {
        try { return open(); }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            throw new InvalidOperationException($"cannot read the run database '{Path}': {e.Message}");
        }
        catch (Exception e) when (e is StudyStorageException or ArgumentException)
        {
            throw new InvalidOperationException($"cannot read the studies: {e.Message}");   // the message never holds a password
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _runs?.Dispose();
            _studies?.Dispose();
        }
    }
}
