using System.Runtime.CompilerServices;

namespace Descent.Tests;

/// <summary>
/// Points <c>DESCENT_CACHE</c> at a folder of this test run (removed at exit), before any test runs: the tests write
/// small IDX files of their own, and their decompressed copies must not pile up in the user's <c>~/.descent/cache</c>.
/// Processes the tests start (the CLI tests) inherit it.
/// </summary>
internal static class TestCache
{
    [ModuleInitializer]
    internal static void Init()
    {
        if (Environment.GetEnvironmentVariable("DESCENT_CACHE") is { Length: > 0 }) return;   // the caller chose one
        string dir = Path.Combine(Path.GetTempPath(), $"descent-test-cache-{Environment.ProcessId}");
        Environment.SetEnvironmentVariable("DESCENT_CACHE", dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { }
        };
    }
}
