using System.Net;
using System.Text.Json;

namespace Descent.Server.Tests.Api;

/// <summary>The run routes over HTTP: the list, one run, the live stream (and a client that leaves it), and bad ids.</summary>
[Collection(ServerCollection.Name)]
public sealed class RunsApiTests(ServerFixture server)
{
    private async Task<JsonElement> Json(string path)
    {
        var r = await server.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task ListsTheRunsWithStatusConfigurationBestAccuracyAndDuration()
    {
        var runs = (await Json("/api/runs")).EnumerateArray().ToList();
        var finished = runs.Single(r => r.GetProperty("id").GetInt64() == server.FinishedRun);
        Assert.Equal("finished", finished.GetProperty("status").GetString());
        Assert.Equal("mlp:16", finished.GetProperty("config").GetProperty("model").GetString());
        Assert.Equal(0.48 + 0.08 * 5, finished.GetProperty("best_accuracy").GetDouble(), 12);
        Assert.True(finished.GetProperty("duration_seconds").GetDouble() >= 0);
        Assert.Equal("diverged", runs.Single(r => r.GetProperty("id").GetInt64() == server.DivergedRun).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ARunHasEveryEpochAndItsDiagnostics()
    {
        var run = await Json($"/api/runs/{server.FinishedRun}");
        Assert.Equal(5, run.GetProperty("epochs").GetArrayLength());
        Assert.Equal(1.0 / 3, run.GetProperty("epochs")[2].GetProperty("train_loss").GetDouble(), 12);
        Assert.Equal("relu", run.GetProperty("results").GetProperty("diagnostics").GetProperty("layers")[0].GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("/api/runs/abc", HttpStatusCode.BadRequest, "a run id is a positive whole number, got 'abc'.")]
    [InlineData("/api/runs/-3", HttpStatusCode.BadRequest, "a run id is a positive whole number, got '-3'.")]
    [InlineData("/api/runs/99999", HttpStatusCode.NotFound, "there is no run 99999")]
    [InlineData("/api/runs/99999/events", HttpStatusCode.NotFound, "there is no run 99999")]
    [InlineData("/api/runs?limit=0", HttpStatusCode.BadRequest, "'limit' must be in [1, 10000], got 0.")]
    [InlineData("/api/runs?limit=lots", HttpStatusCode.BadRequest, "'limit' must be a number in [1, 10000], got 'lots'.")]
    [InlineData("/api/runs/1/evaluation", HttpStatusCode.NotFound, "run 1 has no checkpoint yet")]
    public async Task BadRunRequestsGetAClearMessage(string path, HttpStatusCode status, string message)
    {
        var r = await server.Http.GetAsync(path);
        Assert.Equal(status, r.StatusCode);
        Assert.Contains(message, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task TheLiveStreamSendsTheRunAndSurvivesAClientThatLeaves()
    {
        for (int round = 0; round < 3; round++)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await server.Http.GetAsync($"/api/runs/{server.FinishedRun}/events", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            Assert.Equal("event: run", await reader.ReadLineAsync(cancel.Token));
            string data = (await reader.ReadLineAsync(cancel.Token))!;
            Assert.StartsWith("data: ", data);
            Assert.Equal(server.FinishedRun, JsonDocument.Parse(data["data: ".Length..]).RootElement.GetProperty("id").GetInt64());
            // Dispose mid-stream: the server must go on serving.
        }
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/api/runs")).StatusCode);
    }
}
