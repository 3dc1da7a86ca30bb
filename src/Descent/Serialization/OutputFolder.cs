namespace Descent.Serialization;

/// <summary>
/// An output folder (<c>descent train --out DIR</c>) is Descent's own: Descent writes its checkpoint files there, one by
/// one (see <see cref="Checkpoint"/>), never swaps out, empties or removes the folder, and never deletes or overwrites a
/// file it did not write. <see cref="Claim"/> checks the folder before the first training step and takes its lock.
/// </summary>
/// <remarks>
/// <para>A folder is Descent's when it holds <see cref="FolderLock.FileName"/> (written when Descent first takes it), or
/// holds nothing but a complete checkpoint that Descent wrote (an older Descent wrote no lock file).</para>
/// <para>Refused, with one line that says what to do: the root folder; the working folder or one above it (unless it is
/// Descent's); a file; a place where no folder can be made or written; a folder holding files Descent did not write —
/// unless <c>allowForeignFiles</c> (<c>--force</c>), which writes the checkpoint beside them and still never overwrites
/// a file of a checkpoint name that Descent did not write; a folder another live run holds.</para>
/// </remarks>
public sealed class OutputFolder : IDisposable
{
    private readonly FolderLock _lock;

    private OutputFolder(string path, FolderLock folderLock)
    {
        Path = path;
        _lock = folderLock;
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>The lock's previous owner (a run that ended or was killed), or null.</summary>
    public LockOwner? PreviousOwner => _lock.Previous;

    /// <summary>
    /// Checks <paramref name="path"/> as an output folder, creates it if needed and takes its lock, which lasts until
    /// <see cref="Dispose"/> or the end of the process.
    /// </summary>
    /// <param name="path">The folder as the user gave it.</param>
    /// <param name="allowForeignFiles">Write beside files Descent did not write (they are kept).</param>
    /// <param name="label">How messages name the folder (e.g. "--out").</param>
    /// <exception cref="OutputFolderException">The folder is refused; the message says why and what to do.</exception>
    public static OutputFolder Claim(string path, bool allowForeignFiles = false, string label = "--out")
    {
        string Say(string what) => $"{label} '{path}' {what}";
        if (string.IsNullOrWhiteSpace(path)) throw new OutputFolderException($"{label} is empty; name a folder for the checkpoint, e.g. runs/my-run.");
        string full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        if (System.IO.Path.GetPathRoot(full) is { } root && System.IO.Path.TrimEndingDirectorySeparator(root) == full || full.Length == 0)
            throw new OutputFolderException(Say("is the root of the file system, which cannot be a checkpoint folder; name a new folder, e.g. runs/my-run."));
        if (File.Exists(full))
            throw new OutputFolderException(Say("is a file, not a folder; name a new folder for the checkpoint (the file was not touched)."));
        if (!Directory.Exists(full)) Create(full, Say);
        string real = Posix.RealPathOrNull(full) ?? full;

        var foreign = ForeignEntries(real);
        bool ours = File.Exists(System.IO.Path.Combine(real, FolderLock.FileName)) || foreign.Count == 0;
        if (!ours && IsWorkingFolderOrAbove(real))
            throw new OutputFolderException(Say($"is the working folder{(IsSame(real, Directory.GetCurrentDirectory()) ? "" : " or one above it")}, which holds files Descent did not write ({List(foreign)}); name a new folder for the checkpoint, e.g. runs/my-run."));
        if (!ours && !allowForeignFiles)
            throw new OutputFolderException(Say($"holds files Descent did not write ({List(foreign)}); a checkpoint goes in a folder of its own: name a new or empty folder, or add --force to write beside them (they are kept)."));
        if (!ours && foreign.FirstOrDefault(Checkpoint.IsOwnName) is { } clash)
            throw new OutputFolderException(Say($"holds '{clash}', which Descent did not write (no complete checkpoint names it), and --force never overwrites such a file; name another folder."));

        var folderLock = TryLock(real, Say);
        try
        {
            Probe(real, Say);
            // A save killed after its commit is finished now, so model.safetensors is in place for any reader.
            try { Checkpoint.Recover(real); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OutputFolderException(Say($"holds a checkpoint that cannot be tidied ({Checkpoint.Reason(e)}); choose a place you can write."));
            }
            return new OutputFolder(real, folderLock);
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The entries of <paramref name="dir"/> Descent did not write: anything but the lock file and a checkpoint's own
    /// names — and those names too when no lock file and no complete checkpoint vouch for them.
    /// </summary>
    public static IReadOnlyList<string> ForeignEntries(string dir)
    {
        var names = Directory.EnumerateFileSystemEntries(dir).Select(p => System.IO.Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();
        bool vouched = names.Contains(FolderLock.FileName) || Checkpoint.IsComplete(dir);
        return names.Where(n => n != FolderLock.FileName && !(vouched && Checkpoint.IsOwnName(n) && File.Exists(System.IO.Path.Combine(dir, n)))).ToList();
    }

    /// <summary>Whether two paths name the same folder (absolute paths compared with symbolic links, "." and ".." resolved).</summary>
    public static bool IsSame(string a, string b) => string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);

    private static string Canonical(string p) =>
        System.IO.Path.TrimEndingDirectorySeparator(Posix.RealPathOrNull(p) ?? System.IO.Path.GetFullPath(p));

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();

    private static void Create(string full, Func<string, string> say)
    {
        // Find the nearest part that exists: if it is a file, no folder can be made below it.
        for (string? p = System.IO.Path.GetDirectoryName(full); p is not null; p = System.IO.Path.GetDirectoryName(p))
        {
            if (File.Exists(p)) throw new OutputFolderException(say($"cannot be made: '{p}' is a file, not a folder."));
            if (Directory.Exists(p)) break;
        }
        try { Directory.CreateDirectory(full); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFolderException(say($"cannot be made ({Checkpoint.Reason(e)}); choose a place you can write, e.g. runs/my-run."));
        }
    }

    private static FolderLock TryLock(string dir, Func<string, string> say)
    {
        FolderLock? l;
        LockOwner? holder;
        try { l = FolderLock.TryAcquire(dir, out holder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFolderException(say($"cannot be written ({Checkpoint.Reason(e)}); choose a place you can write, e.g. runs/my-run."));
        }
        return l ?? throw new OutputFolderException(say(
            $"is in use by another descent run ({(holder is null ? "its lock file " + FolderLock.FileName + " is held" : holder.ToString())}); wait for it to end, or choose another folder."));
    }

    /// <summary>Creates and deletes a file of a save's temporary name: a full or read-only disk shows now, not after the first epoch.</summary>
    private static void Probe(string dir, Func<string, string> say)
    {
        string probe = System.IO.Path.Combine(dir, $".{Checkpoint.StateFile}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.WriteByte(0);
                fs.Flush(flushToDisk: true);
            }
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(probe); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new OutputFolderException(say($"cannot be written ({Checkpoint.Reason(e)}); choose a place you can write, e.g. runs/my-run."));
        }
    }

    private static bool IsWorkingFolderOrAbove(string real)
    {
        string cwd = Canonical(Directory.GetCurrentDirectory());
        return IsSame(real, cwd) || cwd.StartsWith(real + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static string List(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(3)) + (names.Count > 3 ? $" and {names.Count - 3} more" : "");
}

/// <summary>An output folder was refused (see <see cref="OutputFolder.Claim"/>); the message is one line that says why and what to do.</summary>
public sealed class OutputFolderException(string message) : IOException(message);
