using System.Diagnostics;

namespace Descent.Tests.Cli;

/// <summary>The built <c>descent</c> command as a real process (for kill, lock and concurrency tests), stdout and stderr redirected.</summary>
internal static class CliProcess
{
    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "descent-cli.dll");

    public static Process Start(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>What <see cref="KillAndResume"/> saw: both runs' stdout, their folders, and whether the victim was killed mid-run.</summary>
    public sealed record KilledRun(string WholeOut, string ResumedOut, string WholeDir, string KilledDir, bool KilledMidRun);

    /// <summary>
    /// The kill-and-resume experiment in <paramref name="root"/>: a whole run of <paramref name="trainArgs"/>(folder); the same
    /// run again, killed with SIGKILL as soon as its first checkpoint exists (waiting at most <paramref name="waitSeconds"/>);
    /// then <c>train --resume</c> of the killed folder. <paramref name="afterKill"/> runs between the kill and the resume
    /// (with whether the victim was killed mid-run). Both finishing runs must exit 0.
    /// </summary>
    public static KilledRun KillAndResume(string root, Func<string, string[]> trainArgs, int waitSeconds, Action<bool>? afterKill = null)
    {
        string wholeDir = Path.Combine(root, "whole"), killedDir = Path.Combine(root, "killed");
        var whole = Start(root, trainArgs(wholeDir));
        string wholeOut = whole.StandardOutput.ReadToEnd();
        whole.WaitForExit();
        Assert.True(whole.ExitCode == 0, whole.StandardError.ReadToEnd() + wholeOut);

        var victim = Start(root, trainArgs(killedDir));
        var sw = Stopwatch.StartNew();
        // Wait until at least one epoch is checkpointed, then kill without warning (SIGKILL).
        while (!File.Exists(Path.Combine(killedDir, "state.json")) && sw.Elapsed < TimeSpan.FromSeconds(waitSeconds) && !victim.HasExited) Thread.Sleep(5);
        bool killedMidRun = !victim.HasExited;
        if (killedMidRun) victim.Kill(entireProcessTree: true);
        victim.WaitForExit();
        afterKill?.Invoke(killedMidRun);

        var resumed = Start(root, "train", "--resume", killedDir, "--json");
        string resumedOut = resumed.StandardOutput.ReadToEnd();
        resumed.WaitForExit();
        Assert.True(resumed.ExitCode == 0, resumed.StandardError.ReadToEnd() + resumedOut);
        return new KilledRun(wholeOut, resumedOut, wholeDir, killedDir, killedMidRun);
    }
}
