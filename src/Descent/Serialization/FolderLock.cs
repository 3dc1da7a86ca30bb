using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Descent.Serialization;

/// <summary>Who holds a folder's lock: host, process id and start time (a reused pid is another process), and the command.</summary>
public sealed record LockOwner(string Host, int Pid, DateTimeOffset ProcessStart, DateTimeOffset LockedAt, string Command)
{
    /// <summary>This process.</summary>
    public static LockOwner Current()
    {
        using var me = Process.GetCurrentProcess();
        var args = Environment.GetCommandLineArgs().Skip(1).Select(a => a.Contains(' ') ? $"'{a}'" : a);
        return new(Environment.MachineName, Environment.ProcessId, me.StartTime.ToUniversalTime(), DateTimeOffset.UtcNow, "descent " + string.Join(' ', args));
    }

    /// <summary>Whether the process is alive: on this host, the same pid with the same start time (to the clock's rounding).</summary>
    public bool IsAlive()
    {
        if (Host != Environment.MachineName) return true;   // another machine's process: cannot tell, so assume it runs
        try
        {
            using var p = Process.GetProcessById(Pid);
            return Math.Abs((p.StartTime.ToUniversalTime() - ProcessStart).TotalSeconds) < 1;
        }
        catch (ArgumentException) { return false; }          // no such process
        catch (InvalidOperationException) { return false; }  // it exited meanwhile
    }

    /// <summary>"pid 1234 on host, started 2026-12-03 07:01:02 UTC: descent train --out d".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"pid {Pid} on {Host}, started {ProcessStart.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC: {Command}");
}

/// <summary>
/// The lock of an output folder: the file <c>.descent.lock</c>, held with an exclusive <c>flock</c> while the run lives
/// and holding its <see cref="LockOwner"/> (JSON) for the message a second run gets. The kernel drops the lock when
/// its process dies (even by SIGKILL), so the lock of a dead process is simply taken over; the file itself stays.
/// </summary>
/// <remarks>
/// The file is never deleted: deleting it would let a process that opened the old file and one that creates a new
/// file both hold "the" lock. Where the file system has no <c>flock</c>, the recorded owner decides: a live process on
/// this host (same pid and start time) keeps the folder, a dead one's lock is taken over.
/// </remarks>
public sealed class FolderLock : IDisposable
{
    /// <summary>The lock file's name inside a locked folder.</summary>
    public const string FileName = ".descent.lock";

    private readonly SafeFileHandle _handle;

    private FolderLock(string path, SafeFileHandle handle, LockOwner? previous)
    {
        Path = path;
        _handle = handle;
        Previous = previous;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The owner recorded before this process took the lock (a finished or killed run), or null.</summary>
    public LockOwner? Previous { get; }

    /// <summary>Takes the lock of <paramref name="dir"/>, or returns null and the owner (if readable) when a live process holds it.</summary>
    public static FolderLock? TryAcquire(string dir, out LockOwner? holder)
    {
        string path = System.IO.Path.Combine(dir, FileName);
        byte[] me = JsonSerializer.SerializeToUtf8Bytes(LockOwner.Current(), Checkpoint.JsonOptions);   // ready before the lock is taken
        var result = Posix.TryLock(path, out var handle);
        holder = ReadOwner(path);
        if (result == Posix.LockResult.Busy)
        {
            // The holder writes its name just after it takes the lock: give it a moment, so the message names it.
            for (int i = 0; i < 50 && holder?.IsAlive() != true; i++)
            {
                Thread.Sleep(20);
                holder = ReadOwner(path);
            }
            return null;
        }
        if (result == Posix.LockResult.Unsupported && holder is not null && holder.Pid != Environment.ProcessId && holder.IsAlive())
        {
            handle.Dispose();
            return null;
        }
        var previous = holder;
        holder = null;
        try
        {
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, me, 0);
            RandomAccess.FlushToDisk(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return new FolderLock(path, handle, previous);
    }

    /// <summary>The owner recorded in a lock file, or null when there is none or it cannot be read.</summary>
    public static LockOwner? ReadOwner(string lockPath)
    {
        try
        {
            using var s = Posix.OpenReadUnlocked(lockPath);
            using var r = new StreamReader(s, Encoding.UTF8);
            string text = r.ReadToEnd();
            return text.Length == 0 ? null : JsonSerializer.Deserialize<LockOwner>(text, Checkpoint.JsonOptions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return null; }
    }

    /// <summary>Releases the lock (the file stays, holding the last owner).</summary>
    public void Dispose() => _handle.Dispose();
}
