using System.Diagnostics;
using System.Text.Json;
using Descent.Tests.Data;

namespace Descent.Tests.Cli;

/// <summary>A fact that needs to mount a small tmpfs: it runs as root on Linux, and is skipped with the reason otherwise.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "needs Linux to mount a tmpfs";
        else if (Environment.UserName != "root") Skip = "needs root to mount a small tmpfs (a disk that fills up)";
    }
}

/// <summary>A full disk ends with one clear line and exit 1, and the run is recorded as failed.</summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(" ", args)}: {err}");
    }

    [TmpfsFact]
    public void ACheckpointOrDatabaseOnAFullDiskIsOneLine()
    {
        string disk = _tmp.File("disk");
        Directory.CreateDirectory(disk);
        Run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk);
        try
        {
            string db = _tmp.File("runs.db");
            var r = CliRunner.Run("train", "--data", "xor", "--hidden", "256,128", "--epochs", "2", "--db", db, "--out", Path.Combine(disk, "ck"));
            Assert.Contains("the disk is full", FaultTests.AssertOneLine(r));
            var runs = JsonDocument.Parse(CliRunner.Run("runs", "list", "--db", db, "--json").Out).RootElement.GetProperty("runs");
            Assert.Equal("failed", runs[0].GetProperty("status").GetString());

            using (var fill = File.OpenWrite(Path.Combine(disk, "fill")))
            {
                try { while (true) fill.Write(new byte[4096]); }
                catch (IOException) { }   // the disk is full now
            }
            var d = CliRunner.Run("train", "--data", "xor", "--hidden", "4", "--epochs", "1", "--db", Path.Combine(disk, "new.db"));
            Assert.Contains("disk is full", FaultTests.AssertOneLine(d));
        }
        finally
        {
            Run("umount", disk);   // not lazy: a file left open on it (a leaked connection) fails the test
        }
    }
}
