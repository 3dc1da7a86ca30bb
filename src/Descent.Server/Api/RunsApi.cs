using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Descent.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Descent.Server.Api;

/// <summary>
/// The runs <c>descent train</c> records: <c>GET /api/runs</c> (newest first), <c>GET /api/runs/ID</c> (every epoch),
/// <c>GET /api/runs/ID/events</c> (server-sent events: the run again each time it changes, so the page's curves grow
/// while it trains) and <c>GET /api/runs/ID/evaluation</c> (per-class accuracy and confusion matrix of its checkpoint).
/// </summary>
internal static class RunsApi
{
    /// <summary>How often a live stream looks at the database.</summary>
    public static TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public static void Map(RouteGroupBuilder g)
    {
        g.MapGet("/", (Stores s, string? limit) =>
        {
            int n = limit is null ? 200 : RequestErrors.Integer(limit, "limit", 1, 10_000);
            return s.Runs(store => store.ListRuns(n).Select(r => store.GetRun(r.Id)).OfType<RunRecord>().Select(r => RunView.Of(r, withEpochs: false)).ToList(), []);
        });
        g.MapGet("/{id}", (Stores s, string id) => RunView.Of(Get(s, ParseId(id))));
        g.MapGet("/{id}/events", (Stores s, string id, HttpContext c) =>
        {
            long runId = ParseId(id);
            Get(s, runId);   // 404 before the stream starts
            return TypedResults.ServerSentEvents(Changes(s, runId, c.RequestAborted));
        });
        g.MapGet("/{id}/evaluation", (Stores s, string id, CancellationToken cancel) =>
        {
            var run = Get(s, ParseId(id));
            return RunEvaluation.For(run, cancel);
        });
    }

    /// <summary>The run as JSON now, then each time it changes, until the client goes away.</summary>
    private static async IAsyncEnumerable<SseItem<string>> Changes(Stores s, long runId, [EnumeratorCancellation] CancellationToken cancel)
    {
        string? last = null;
        var quiet = DateTime.UtcNow;
        while (!cancel.IsCancellationRequested)
        {
            var run = s.Runs(store => store.GetRun(runId), null);
            string? version = run is null ? null : RunView.Version(run);
            if (run is not null && version != last)
            {
                last = version;
                quiet = DateTime.UtcNow;
                yield return new SseItem<string>(JsonSerializer.Serialize(RunView.Of(run), DescentServer.Json), "run");
            }
            else if (DateTime.UtcNow - quiet > TimeSpan.FromSeconds(15))
            {
                quiet = DateTime.UtcNow;
                yield return new SseItem<string>("{}", "ping");   // keeps proxies from closing a quiet stream
            }
            try { await Task.Delay(PollInterval, cancel); }
            catch (OperationCanceledException) { yield break; }
        }
    }

    internal static long ParseId(string id) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v) && v > 0
            ? v
            : throw new BadRequestException($"a run id is a positive whole number, got '{(id.Length > 40 ? id[..40] + "…" : id)}'.");

    private static RunRecord Get(Stores s, long id) =>
        s.Runs(store => store.GetRun(id), null) ?? throw new NotFoundException($"there is no run {id} in '{s.Path}'.");
}
