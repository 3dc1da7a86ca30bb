using System.Text;
using System.Text.RegularExpressions;

namespace Descent.Serialization;

/// <summary>
/// Writes a file so that a crash never leaves it half-written: the bytes go to a temporary name in the same
/// folder (<c>.NAME.PID.GUID.tmp</c>), are flushed to the disk (<c>fsync</c>), the temporary file is renamed over the
/// target, which a POSIX file system does atomically, and the folder is fsynced so the rename itself is durable.
/// Readers see the old file or the new one, never a mix.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> to a temporary file, fsyncs it and renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, null);

    /// <summary>As <see cref="Write(string, Action{Stream})"/>; <paramref name="step"/> is told of each file operation before it happens (fault tests).</summary>
    internal static void Write(string path, Action<Stream> write, Action<string>? step)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string temp = TemporaryName(full);
        try
        {
            step?.Invoke($"write {Path.GetFileName(temp)}");
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16))
            {
                write(fs);
                step?.Invoke($"fsync {Path.GetFileName(temp)}");
                fs.Flush(flushToDisk: true);
            }
            step?.Invoke($"rename {Path.GetFileName(temp)} → {Path.GetFileName(full)}");
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        step?.Invoke($"fsync folder {dir}");
        Posix.FsyncDirectory(dir);
    }

    /// <summary>Writes <paramref name="bytes"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Whether <paramref name="name"/> is a temporary name this class gives while writing the file <paramref name="target"/>.</summary>
    public static bool IsTemporaryOf(string name, string target)
    {
        var m = TemporaryPattern().Match(name);
        return m.Success && m.Groups[1].Value == target;
    }

    private static string TemporaryName(string full) =>
        Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    [GeneratedRegex(@"^\.(.+)\.[0-9]+\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryPattern();
}
