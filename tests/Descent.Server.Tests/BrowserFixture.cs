using Microsoft.Playwright;

namespace Descent.Server.Tests;

/// <summary>
/// Headless chromium driven by Playwright, started once for the browser tests (Debian's chromium through
/// <c>ExecutablePath</c>: Playwright's own browser download is neither needed nor possible here). Not started when
/// chromium is missing; those tests are skipped (<see cref="ChromiumFactAttribute"/>).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("chromium was not started (it is missing; the test should have been skipped).");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumFactAttribute.Executable)) return;
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A new page whose console errors, uncaught exceptions and failed requests are collected in <paramref name="errors"/>.</summary>
    public async Task<IPage> NewPage(List<string> errors)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } });
        page.Console += (_, m) => { if (m.Type == "error") lock (errors) errors.Add($"console: {m.Text}"); };
        page.PageError += (_, e) => { lock (errors) errors.Add($"exception: {e}"); };
        page.Response += (_, r) => { if (r.Status >= 400) lock (errors) errors.Add($"{r.Status} {r.Url}"); };
        page.SetDefaultTimeout(30_000);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
