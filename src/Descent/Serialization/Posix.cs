using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Descent.Serialization;

/// <summary>
/// The few POSIX calls .NET does not offer, from the C library: <c>fsync</c> of a folder (so a rename survives a
/// power cut), an advisory <c>flock</c> that the kernel drops when its process dies, and <c>realpath</c>.
/// </summary>
/// <remarks>
/// .NET's own <c>FileShare</c> locking takes a shared <c>flock</c> on every read, so a file it locks cannot even be read
/// by another process; the lock file is therefore opened here, without .NET's locking, and wrapped in a
/// <see cref="SafeFileHandle"/>. On Windows the calls fall back to what .NET offers (no folder fsync is needed there).
/// </remarks>
internal static partial class Posix
{
    private const int ORdOnly = 0, ORdWr = 2, OCreat = 0x40, OCloExec = 0x80000;   // the same on Linux x64 and arm64
    private const int LockEx = 2, LockNb = 4;
    private const int EIntr = 4, EAgain = 11, ENoLck = 37, EOpNotSupp = 95;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FLock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint p);

    /// <summary>Flushes a folder's entries (new names, renames, deletions) to the disk.</summary>
    public static void FsyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Open(dir, ORdOnly | OCloExec, 0);
        if (fd < 0) throw Error(Marshal.GetLastPInvokeError(), $"cannot open the folder '{dir}' to flush it");
        try
        {
            int r;
            do r = FSync(fd); while (r < 0 && Marshal.GetLastPInvokeError() == EIntr);
            // EINVAL: the file system does not sync folders (some network file systems); nothing more can be done there.
            if (r < 0 && Marshal.GetLastPInvokeError() is int errno && errno != 22) throw Error(errno, $"cannot flush the folder '{dir}'");
        }
        finally { Close(fd); }
    }

    /// <summary>The outcome of <see cref="TryLock"/>.</summary>
    public enum LockResult { Acquired, Busy, Unsupported }

    /// <summary>
    /// Opens (creating it) <paramref name="path"/> for reading and writing, and takes an exclusive <c>flock</c> on it
    /// without waiting. The lock lasts while <paramref name="handle"/> is open, and the kernel drops it when the process
    /// dies, so a lock of a killed process is never stale.
    /// </summary>
    public static LockResult TryLock(string path, out SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
                return LockResult.Acquired;
            }
            catch (IOException) when (File.Exists(path)) { handle = null!; return LockResult.Busy; }
        }
        int fd = Open(path, ORdWr | OCreat | OCloExec, Convert.ToInt32("644", 8));
        if (fd < 0) throw Error(Marshal.GetLastPInvokeError(), $"cannot create the lock file '{path}'");
        handle = new SafeFileHandle(fd, ownsHandle: true);
        int r;
        do r = FLock(fd, LockEx | LockNb); while (r < 0 && Marshal.GetLastPInvokeError() == EIntr);
        if (r == 0) return LockResult.Acquired;
        int e = Marshal.GetLastPInvokeError();
        if (e == EAgain) { handle.Dispose(); handle = null!; return LockResult.Busy; }
        if (e is ENoLck or EOpNotSupp) return LockResult.Unsupported;   // the handle stays open: the caller falls back
        handle.Dispose();
        throw Error(e, $"cannot lock '{path}'");
    }

    /// <summary>Opens <paramref name="path"/> for reading without taking any lock (another process may hold one).</summary>
    public static FileStream OpenReadUnlocked(string path)
    {
        if (OperatingSystem.IsWindows()) return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        int fd = Open(path, ORdOnly | OCloExec, 0);
        if (fd < 0) throw Error(Marshal.GetLastPInvokeError(), $"cannot read '{path}'");
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read);
    }

    /// <summary>The absolute path with every symbolic link, "." and ".." resolved; null when the path does not exist.</summary>
    public static string? RealPathOrNull(string path)
    {
        if (OperatingSystem.IsWindows()) return Directory.Exists(path) || File.Exists(path) ? Path.GetFullPath(path) : null;
        nint p = RealPath(path, 0);
        if (p == 0) return null;
        try { return Marshal.PtrToStringUTF8(p); }
        finally { Free(p); }
    }

    private static IOException Error(int errno, string what) => new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
}
