using Descent.Tuning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Descent.Server.Api;

/// <summary>
/// The studies <c>descent tune</c> records: <c>GET /api/studies</c> and <c>GET /api/studies/NAME</c> (its search space
/// with each parameter's scale, and every trial: parameters, state, objective, per-epoch values). The study page polls
/// the second while workers run.
/// </summary>
internal static class StudiesApi
{
    /// <summary>A parameter of the search space and the scale its axis is drawn on: linear, log, or log of 1 − value (momenta).</summary>
    public sealed record Parameter(string Name, string Kind, string Scale, double? Low, double? High, IReadOnlyList<string>? Choices);

    /// <summary>One trial; <c>Unit</c> places each parameter on [0, 1] of its own scale (for parallel coordinates).</summary>
    public sealed record Trial(int Number, string State, double? Value, IReadOnlyDictionary<string, object> Params,
        IReadOnlyDictionary<string, double> Unit, IReadOnlyList<double?> Epochs, DateTime Started, DateTime? Finished, string? Note, int Round);

    public sealed record StudySummary(string Name, string Direction, string Metric, DateTime Created, int Trials, int Complete, int Running, double? Best);

    public sealed record StudyView(string Name, string Direction, string Metric, DateTime Created, IReadOnlyList<Parameter> Space, IReadOnlyList<Trial> Trials);

    public static void Map(RouteGroupBuilder g)
    {
        g.MapGet("/", (Stores s) => s.Studies(store => store.Studies().Select(st =>
        {
            var trials = store.Trials(st.Id);
            var done = trials.Where(t => t.State == TrialState.Complete && t.Value is not null).Select(t => t.Value!.Value).ToList();
            double? best = done.Count == 0 ? null : st.Direction == Direction.Minimize ? done.Min() : done.Max();
            return new StudySummary(st.Name, Lower(st.Direction), st.Metric, st.Created, trials.Count,
                trials.Count(t => t.State == TrialState.Complete), trials.Count(t => t.State == TrialState.Running), best);
        }).ToList(), []));
        g.MapGet("/{name}", (Stores s, string name) =>
        {
            if (name.Length is 0 or > 200) throw new BadRequestException($"a study name has 1 to 200 characters, got {name.Length}.");
            return s.Studies(store =>
            {
                var st = store.FindStudy(name) ?? throw new NotFoundException($"there is no study '{name}' in '{s.Path}'.");
                var space = st.Space;
                var parameters = space.Parameters.Select(p => Describe(p.Key, p.Value)).ToList();
                var trials = store.Trials(st.Id).Select(t => new Trial(t.Number, Lower(t.State), t.Value, t.Params,
                    t.Params.Where(p => space.Contains(p.Key)).ToDictionary(p => p.Key, p => Unit(space[p.Key], p.Value)),
                    t.Epochs.Select(e => double.IsNaN(e.Value) ? (double?)null : e.Value).ToList(), t.Started, t.Finished, t.Note, t.Round)).ToList();
                return new StudyView(st.Name, Lower(st.Direction), st.Metric, st.Created, parameters, trials);
            }, null) ?? throw new NotFoundException($"there is no run database at '{s.Path}' yet, so no study '{name}'.");
        });
    }

    private static Parameter Describe(string name, Distribution d) => d switch
    {
        LogUniformDistribution l => new(name, d.Kind, "log", l.Low, l.High, null),
        OneMinusLogUniformDistribution o => new(name, d.Kind, "one_minus_log", o.Low, o.High, null),
        UniformDistribution u => new(name, d.Kind, "linear", u.Low, u.High, null),
        IntDistribution i => new(name, d.Kind, i.Log ? "log" : "linear", i.Low, i.High, null),
        CategoricalDistribution c => new(name, d.Kind, "categorical", null, null, c.Choices.Select(SearchSpace.FormatValue).ToList()),
        _ => new(name, d.Kind, "linear", null, null, null),
    };

    /// <summary>The value's place on [0, 1] of the parameter's scale (a value outside the space, e.g. a widened study's, is clamped).</summary>
    private static double Unit(Distribution d, object value)
    {
        try { return d.ToUnit(value); }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException) { return double.NaN; }
    }

    private static string Lower<T>(T e) where T : Enum => e.ToString().ToLowerInvariant();
}
