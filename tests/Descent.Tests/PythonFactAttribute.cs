using System.Collections.Concurrent;
using System.Diagnostics;

namespace Descent.Tests;

/// <summary>
/// A <see cref="FactAttribute"/> for a test that runs <c>/usr/bin/python3</c> with some modules (numpy, torch): when
/// python3 or a module is missing, the runner reports the test as Skipped, with the reason, instead of passing it.
/// (xunit 2 decides skipping at discovery, from the attribute's <c>Skip</c>; the probe runs once per module list.)
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PythonFactAttribute : FactAttribute
{
    /// <summary>The interpreter the tests run.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly ConcurrentDictionary<string, string?> Missing = new();

    /// <summary>Skips the test unless python3 can import every one of <paramref name="modules"/>.</summary>
    public PythonFactAttribute(params string[] modules)
    {
        string? reason = Missing.GetOrAdd(string.Join(",", modules), _ => Probe(modules));
        if (reason is not null) Skip = reason;
    }

    /// <summary>Null when python3 imports the modules, else why not.</summary>
    internal static string? Probe(string[] modules)
    {
        if (!File.Exists(Python)) return $"needs {Python}, which is not installed";
        if (modules.Length == 0) return null;
        try
        {
            var psi = new ProcessStartInfo(Python, ["-c", "import " + string.Join(", ", modules)]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var proc = Process.Start(psi)!;
            var stderr = proc.StandardError.ReadToEndAsync();
            if (!proc.WaitForExit(60_000)) { proc.Kill(); return $"{Python} did not import {string.Join(", ", modules)} within 60 s"; }
            if (proc.ExitCode == 0) return null;
            string last = stderr.Result.Trim().Split('\n')[^1].Trim();
            return $"needs python3 with {string.Join(" and ", modules)}: {last}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return $"could not run {Python}: {e.Message}";
        }
    }
}
