using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Descent.Lab;
using Descent.Server.Lab;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static Descent.Server.RequestErrors;

namespace Descent.Server.Api;

/// <summary>
/// The interactive lab: each chapter's lesson (<c>GET /api/lab/lessons</c>, the same words as the static report), the
/// controls' choices (<c>GET /api/lab/options</c>), and one route per experiment. The function experiments answer at
/// once; the network ones run one at a time (the machine's cores are shared), and batch norm, which trains, streams its
/// progress as server-sent events.
/// </summary>
internal static class LabApi
{
    public sealed record DescendRequest(string? Function, double? Lr, int? Steps, double[]? Start);
    public sealed record RaceRequest(string? Race, string? Optimizer, double? Lr, double? Beta, ulong? Seed);
    public sealed record InitRequest(string? Activation, string? Init, double? Scale, int? Depth, int? Width, bool? BatchNorm, ulong? Seed);
    public sealed record VanishingRequest(string? Activation, int? Depth, string? Kind, int? Width, ulong? Seed);
    public sealed record SchedulesRequest(string[]? Schedules, double? BaseRate, int? Epochs, ulong? Seed);

    private static readonly SemaphoreSlim Networks = new(1, 1);
    private static readonly Dictionary<string, StackKind> Kinds = new() { ["plain"] = StackKind.Plain, ["residual"] = StackKind.Residual, ["scaled"] = StackKind.ScaledResidual };

    public static void Map(RouteGroupBuilder g)
    {
        g.MapGet("/lessons", () => Lesson.Chapters);
        g.MapGet("/options", () => new
        {
            functions = FunctionExperiments.Functions.Keys, races = FunctionExperiments.Races, optimizers = FunctionExperiments.Optimizers.Keys,
            activations = NetworkExperiments.Activations, initializers = NetworkExperiments.Initializers, kinds = Kinds.Keys,
            schedules = ScheduleExperiment.Choices(40),
        });
        g.MapPost("/descend", (DescendRequest? r) =>
        {
            r = Required(r);
            string f = OneOf(r.Function ?? "quadratic", "function", FunctionExperiments.Functions.Keys.ToList());
            double lr = In(r.Lr, "lr", 1e-6, 10);
            int steps = (int)In(r.Steps ?? 100, "steps", 1, 5000);
            if (r.Start is { } s && (s.Length is 0 or > 2 || s.Any(v => !double.IsFinite(v) || Math.Abs(v) > 1e3)))
                throw new BadRequestException($"'start' must be 1 or 2 finite numbers within ±1000, got [{string.Join(", ", s)}].");
            return FunctionExperiments.Descend(f, lr, steps, r.Start);
        });
        g.MapPost("/optimizers", (RaceRequest? r) =>
        {
            r = Required(r);
            string race = OneOf(r.Race ?? "elongated", "race", FunctionExperiments.Races);
            string opt = OneOf(r.Optimizer ?? "momentum", "optimizer", FunctionExperiments.Optimizers.Keys.ToList());
            return FunctionExperiments.Race(race, opt, In(r.Lr, "lr", 1e-5, 10), In(r.Beta ?? 0.9, "beta", 0, 0.999), r.Seed ?? 0);
        });
        g.MapPost("/init", async (InitRequest? r, CancellationToken cancel) =>
        {
            r = Required(r);
            string act = OneOf(r.Activation ?? "tanh", "activation", NetworkExperiments.Activations);
            string init = OneOf(r.Init ?? "xavier", "init", NetworkExperiments.Initializers);
            double scale = In(r.Scale ?? 1, "scale", 1e-4, 10);
            int depth = (int)In(r.Depth ?? 10, "depth", 1, 30), width = (int)In(r.Width ?? 200, "width", 2, 500);
            NetworkExperiments.InitSpec(init, scale);   // a scale He cannot take is a 400 before any work
            return await OneAtATime(() => NetworkExperiments.Init(act, init, scale, depth, width, r.BatchNorm ?? false, r.Seed ?? 0), cancel);
        });
        g.MapPost("/vanishing", async (VanishingRequest? r, CancellationToken cancel) =>
        {
            r = Required(r);
            string act = OneOf(r.Activation ?? "sigmoid", "activation", NetworkExperiments.Activations);
            var kind = Kinds[OneOf(r.Kind ?? "plain", "kind", Kinds.Keys.ToList())];
            int depth = (int)In(r.Depth ?? 20, "depth", 2, 200), width = (int)In(r.Width ?? 100, "width", 2, 300);
            return await OneAtATime(() => NetworkExperiments.Vanishing(act, depth, kind, width, r.Seed ?? 0), cancel);
        });
        g.MapPost("/schedules", (SchedulesRequest? r) =>
        {
            r = Required(r);
            int epochs = (int)In(r.Epochs ?? 40, "epochs", 2, 200);
            var choices = ScheduleExperiment.Choices(epochs);
            var specs = r.Schedules is { Length: > 0 } s ? s : ["constant", "inverse-time:decay=1"];
            if (specs.Length > 12) throw new BadRequestException($"'schedules' takes at most 12 schedules, got {specs.Length}.");
            foreach (var spec in specs) Descent.Schedules.ScheduleSpec.Parse(spec ?? throw new BadRequestException("'schedules' holds a null."));
            return ScheduleExperiment.Run(specs, In(r.BaseRate ?? 0.5, "base_rate", 1e-5, 2), epochs, r.Seed ?? 0);
        });
        g.MapGet("/batchnorm", (HttpContext c, string? activation, string? init, string? scale, string? depth, string? epochs, string? seed) =>
        {
            string act = OneOf(activation ?? "tanh", "activation", NetworkExperiments.Activations);
            string ini = OneOf(init ?? "normal", "init", NetworkExperiments.Initializers);
            double sc = scale is null ? 0.01 : Number(scale, "scale", 1e-4, 10);
            int d = depth is null ? 6 : Integer(depth, "depth", 1, 20), n = epochs is null ? 15 : Integer(epochs, "epochs", 1, 60);
            ulong s = seed is null ? 0 : (ulong)Integer(seed, "seed", 0, int.MaxValue);
            NetworkExperiments.InitSpec(ini, sc);
            return TypedResults.ServerSentEvents(BatchNormEvents(act, ini, sc, d, n, s, c.RequestAborted));
        });
    }

    /// <summary>Batch norm's training as events: "progress" {network, epoch, epochs} after every epoch, then "result".</summary>
    private static async IAsyncEnumerable<SseItem<string>> BatchNormEvents(string activation, string init, double scale, int depth, int epochs, ulong seed,
        [EnumeratorCancellation] CancellationToken cancel)
    {
        var events = Channel.CreateUnbounded<SseItem<string>>();
        var work = OneAtATime(() =>
        {
            var curves = NetworkExperiments.BatchNorm(activation, init, scale, depth, epochs, seed, (network, epoch) =>
            {
                cancel.ThrowIfCancellationRequested();   // the page went away: stop training
                events.Writer.TryWrite(new(Serialize(new { network, epoch, epochs, networks = 2 }), "progress"));
            });
            events.Writer.TryWrite(new(Serialize(curves), "result"));
            return curves;
        }, cancel);
        _ = work.ContinueWith(t => events.Writer.TryComplete(t.Exception?.GetBaseException()), TaskScheduler.Default);
        await foreach (var e in ReadAll(events.Reader, cancel)) yield return e;
    }

    private static async IAsyncEnumerable<SseItem<string>> ReadAll(ChannelReader<SseItem<string>> reader, [EnumeratorCancellation] CancellationToken cancel)
    {
        while (true)
        {
            SseItem<string> item;
            try
            {
                if (!await reader.WaitToReadAsync(cancel)) break;
                if (!reader.TryRead(out item)) continue;
            }
            catch (OperationCanceledException) { yield break; }
            catch (Exception e) { item = new(Serialize(new { error = e.Message }), "failed"); }
            yield return item;
            if (item.EventType == "failed") yield break;
        }
    }

    private static async Task<T> OneAtATime<T>(Func<T> run, CancellationToken cancel)
    {
        await Networks.WaitAsync(cancel);
        try { return await Task.Run(run, cancel); }
        finally { Networks.Release(); }
    }

    private static T Required<T>(T? body) where T : class =>
        body ?? throw new BadRequestException("the request needs a JSON body (an object with the experiment's settings).");

    private static double In(double? value, string name, double min, double max)
    {
        if (value is not { } v) throw new BadRequestException($"'{name}' is required: a number in [{min}, {max}].");
        if (!double.IsFinite(v) || v < min || v > max) throw new BadRequestException($"'{name}' must be in [{min}, {max}], got {v}.");
        return v;
    }

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, DescentServer.Json);
}
