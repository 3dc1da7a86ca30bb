namespace Descent.Server.Tests;

/// <summary>
/// A test that drives a real browser: Debian's chromium (<c>/usr/bin/chromium</c>, or <c>$DESCENT_CHROMIUM</c>) through
/// Playwright. Without it the runner reports the test as Skipped with the reason (xunit 2 decides at discovery); it is
/// never passed silently. <c>.ci/run</c> installs chromium with apt when it is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>The browser the tests drive.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("DESCENT_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Executable))
            Skip = $"needs chromium at {Executable} (apt-get install chromium, or set DESCENT_CHROMIUM)";
    }
}
