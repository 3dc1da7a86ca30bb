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
}
