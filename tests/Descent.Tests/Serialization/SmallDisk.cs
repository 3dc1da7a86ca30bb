using System.Diagnostics;

namespace Descent.Tests.Serialization;

/// <summary>A small tmpfs mounted on a fresh temporary folder (needs root), to fill a disk on purpose; unmounted on dispose.</summary>
public sealed class SmallDisk : IDisposable
{
    public SmallDisk(int kilobytes)
    {
        Directory.CreateDirectory(Path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", Path) is { } error)
        {
            Directory.Delete(Path);
            throw new InvalidOperationException($"mount failed: {error}");
        }
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "descent-disk-" + Guid.NewGuid().ToString("N"));

    /// <summary>Why a tmpfs cannot be mounted here (not root, no mount permission), or null when it can.</summary>
    public static string? Unavailable => Probe.Value;

    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess) return "needs root on Linux to mount a small tmpfs (the full-disk test fills it)";
        try
        {
            using var d = new SmallDisk(64);
            return null;
        }
        catch (Exception e) { return $"cannot mount a tmpfs here ({e.Message})"; }
    });

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    private static string? Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? null : err.Trim();
    }
}

/// <summary>A test that needs <see cref="SmallDisk"/>: skipped, with the reason, where a tmpfs cannot be mounted.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (SmallDisk.Unavailable is { } reason) Skip = reason;
    }
}
