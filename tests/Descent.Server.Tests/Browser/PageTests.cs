using Descent.Storage;
using Microsoft.Playwright;

namespace Descent.Server.Tests.Browser;

/// <summary>
/// The pages in a real browser (headless chromium through Playwright): each loads and draws with no console error, the
/// gradient-descent page redraws its path when the learning rate moves, a run's page grows while epochs are written, a
/// study's page lists its trials, and the controls answer the keyboard.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PageTests(ServerFixture server, BrowserFixture browser)
{
    private string Url(string path) => new Uri(server.Address, path).ToString();

    /// <summary>With <c>DESCENT_SCREENSHOTS=DIR</c>, saves the whole page as DIR/NAME.png (to look at; nothing is compared).</summary>
    private static async Task Shot(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("DESCENT_SCREENSHOTS") is not { Length: > 0 } dir) return;
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }

    /// <summary>Each page and what shows that it has drawn (not only loaded).</summary>
    public static TheoryData<string, string> Pages => new()
    {
        { "/", "table[aria-label=runs] tbody tr" },
        { "/runs/1", ".uplot canvas" },
        { "/runs/2", "h1 .status.diverged" },
        { "/compare?ids=1,2", ".uplot canvas" },
        { "/studies/demo%20study", "svg[aria-label='parallel coordinates'] polyline" },
        { "/lab/descend", "canvas.map[data-playing]" },
        { "/lab/optimizers", "canvas.map[data-playing]" },
        { "/lab/schedules", ".uplot canvas" },
        { "/lab/vanishing", ".uplot canvas" },
        { "/lab/init", "svg[aria-label='layer 1 histogram']" },
        { "/lab/batchnorm", ".uplot canvas" },
    };

    [ChromiumFact]
    public async Task EveryPageLoadsAndDrawsWithNoConsoleError()
    {
        foreach (var (path, drawn) in Pages.Select(r => ((string)r[0], (string)r[1])))
        {
            var errors = new List<string>();
            var page = await browser.NewPage(errors);
            await page.GotoAsync(Url(path));
            await page.WaitForSelectorAsync(drawn, new() { Timeout = 60_000 });
            Assert.Equal(0, await page.Locator("[role=alert]").CountAsync());
            Assert.True(errors.Count == 0, $"{path}: {string.Join("; ", errors)}");
            await Shot(page, "page" + string.Concat(path.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')));
            await page.CloseAsync();
        }
    }

    [ChromiumFact]
    public async Task MovingTheLearningRateRedrawsTheDescentPath()
    {
        var page = await browser.NewPage([]);
        await page.GotoAsync(Url("/lab/descend"));
        var done = "canvas.map[data-playing=false]";
        await page.WaitForSelectorAsync(done);
        string before = await page.EvalOnSelectorAsync<string>("canvas.map", "c => c.toDataURL()");
        await Shot(page, "descend-lr-0.9");
        Assert.StartsWith("γ = 0.9: converged", await page.InnerTextAsync("#legend"));
        await page.FocusAsync("#lr");
        for (int i = 0; i < 20; i++) await page.Keyboard.PressAsync("ArrowLeft");   // log₁₀ γ − 0.2: γ ≈ 0.56
        string lr = await page.InnerTextAsync("output[for=lr]");
        Assert.StartsWith("0.56", lr);
        await page.WaitForFunctionAsync($"() => document.getElementById('legend').innerText.startsWith('γ = {lr}:')");
        await page.WaitForSelectorAsync(done);
        string after = await page.EvalOnSelectorAsync<string>("canvas.map", "c => c.toDataURL()");
        await Shot(page, "descend-lr-0.56");
        Assert.NotEqual(before, after);
        await page.CloseAsync();
    }

    [ChromiumFact]
    public async Task ARunStartedDuringTheTestShowsNewEpochsWithoutAReload()
    {
        using var store = RunStore.Open(server.Database);   // another connection, as descent train's
        long id = store.CreateRun(ServerFixture.Config);
        store.AddEpoch(id, 1, ServerFixture.Epoch(1));
        var page = await browser.NewPage([]);
        await page.GotoAsync(Url($"/runs/{id}"));
        await page.WaitForFunctionAsync("() => document.getElementById('epochs')?.textContent === 'epoch 1 of 5'");
        await page.WaitForSelectorAsync(".uplot canvas");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        string chartBefore = await page.EvalOnSelectorAsync<string>(".uplot canvas", "c => c.toDataURL()");
        Assert.Equal("live", await page.InnerTextAsync("#live"));
        await Shot(page, "live-run-epoch-1");

        store.AddEpoch(id, 2, ServerFixture.Epoch(2));
        await page.WaitForFunctionAsync("() => document.getElementById('epochs')?.textContent === 'epoch 2 of 5'");
        store.AddEpoch(id, 3, ServerFixture.Epoch(3));
        await page.WaitForFunctionAsync("() => document.getElementById('epochs')?.textContent === 'epoch 3 of 5'");
        Assert.NotEqual(chartBefore, await page.EvalOnSelectorAsync<string>(".uplot canvas", "c => c.toDataURL()"));
        await Shot(page, "live-run-epoch-3");
        store.Finish(id, RunStatus.Finished, """{"test_accuracy":0.9}""");
        await page.WaitForSelectorAsync("h1 .status.finished");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page reloaded");
        await page.CloseAsync();
    }

    [ChromiumFact]
    public async Task ARealTrainingProcessGrowsItsPageLiveAndReadsInterruptedWhenKilled()
    {
        long last;
        using (var store = RunStore.Open(server.Database)) last = store.ListRuns(1)[0].Id;
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = server.Folder };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "descent-cli.dll"), "train", "--data", "circles", "--hidden", "8", "--epochs", "3000",
            "--threads", "1", "--json", "--db", server.Database, "--out", Path.Combine(server.Folder, "real-run") }) psi.ArgumentList.Add(a);
        using var train = System.Diagnostics.Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        train.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        train.OutputDataReceived += (_, _) => { };   // drained, so the process never blocks on a full pipe
        train.BeginErrorReadLine();
        train.BeginOutputReadLine();
        try
        {
            long id = 0;
            for (int i = 0; i < 600 && id == 0; i++)
            {
                await Task.Delay(100);
                using var store = RunStore.Open(server.Database);
                id = store.ListRuns(1) is [var r] && r.Id > last && r.Epochs >= 1 ? r.Id : 0;
            }
            Assert.True(id != 0, "descent train recorded no epoch in 60 s: " + stderr);
            var page = await browser.NewPage([]);
            await page.GotoAsync(Url($"/runs/{id}"));
            await page.WaitForSelectorAsync("#live", new() { Timeout = 20_000 });
            await page.EvaluateAsync("() => { window.sameDocument = true; }");
            int first = await Epochs(page);
            await page.WaitForFunctionAsync($"() => parseInt(document.getElementById('epochs').textContent.split(' ')[1]) > {first}");
            await Shot(page, "real-train-live");
            train.Kill();
            await train.WaitForExitAsync();
            await page.WaitForSelectorAsync("h1 .status.interrupted");   // its process is gone: the page says so, live
            Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page reloaded");
            await page.CloseAsync();
        }
        finally
        {
            if (!train.HasExited) train.Kill();
        }
    }

    private static async Task<int> Epochs(IPage page) => int.Parse((await page.InnerTextAsync("#epochs")).Split(' ')[1]);

    [ChromiumFact]
    public async Task AStudyPageListsItsTrials()
    {
        var page = await browser.NewPage([]);
        await page.GotoAsync(Url("/studies/demo%20study"));
        var rows = page.Locator("table[aria-label=trials] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(6);
        string table = await page.InnerTextAsync("table[aria-label=trials]");
        foreach (var state in new[] { "complete", "pruned", "running" }) Assert.Contains(state, table);
        Assert.Contains("1 − momentum (log)", await page.TextContentAsync("svg[aria-label='objective against momentum']"));
        Assert.Contains("lr (log)", await page.TextContentAsync("svg[aria-label='objective against lr']"));
        Assert.Equal(4, await page.Locator("svg[aria-label='parallel coordinates'] polyline").CountAsync());   // the complete trials (a pruned one stopped early)
        await page.CloseAsync();
    }

    [ChromiumFact]
    public async Task TheControlsAnswerTheKeyboard()
    {
        var page = await browser.NewPage([]);
        await page.Clock.InstallAsync();   // the player's animation frames run on a clock the test can stop (below)
        await page.GotoAsync(Url("/lab/descend"));
        await page.WaitForSelectorAsync("canvas.map[data-playing=false]");
        // Tab from the top reaches the function, the learning rate, the steps and the player, in that order.
        var reached = new List<string>();
        for (int i = 0; i < 25 && reached.Count < 5; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            string? id = await page.EvaluateAsync<string?>("() => document.activeElement.id || document.activeElement.getAttribute('aria-label')");
            if (id is "function" or "lr" or "steps" or "play" or "step" && !reached.Contains(id)) reached.Add(id);
        }
        Assert.Equal(["function", "lr", "steps", "play", "step"], reached);
        // Space on the focused player button plays the path again; Space again pauses it before the end. The path moves
        // one step an animation frame (60 steps in about a second), so the page's clock is stopped and moved by hand:
        // exactly 200 ms of frames run between the two presses, however slow the machine (with the real clock, a slow
        // moment let the path reach its end before the second Space).
        long now = await page.EvaluateAsync<long>("() => Date.now()");
        await page.Clock.PauseAtAsync(DateTimeOffset.FromUnixTimeMilliseconds(now + 1000).UtcDateTime);
        await page.FocusAsync("button[aria-label=play]");
        await page.Keyboard.PressAsync("Space");
        await page.WaitForSelectorAsync("button[aria-label=pause]");
        await page.Clock.RunForAsync(200);
        await page.Keyboard.PressAsync("Space");
        await page.WaitForSelectorAsync("canvas.map[data-playing=false]");
        string? step = await page.GetAttributeAsync("canvas.map", "data-step");
        Assert.True(int.TryParse(step, out int at) && at > 0 && at < 60, $"paused at step {step}, expected between 0 and 60");
        await page.Clock.RunForAsync(500);
        Assert.Equal(step, await page.GetAttributeAsync("canvas.map", "data-step"));     // and it stays paused
        await page.Clock.ResumeAsync();
        // Arrow keys on the function list choose the next function (the saddle), which is then run and drawn.
        await page.FocusAsync("#function");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.WaitForFunctionAsync("() => document.getElementById('function').value === 'saddle'");
        await page.WaitForFunctionAsync("() => document.getElementById('legend').innerText.startsWith('γ = 0.1:')");
        await page.FocusAsync("#lr");
        await page.Keyboard.PressAsync("End");
        Assert.Equal("2", await page.InnerTextAsync("output[for=lr]"));
        await page.CloseAsync();
    }
}
