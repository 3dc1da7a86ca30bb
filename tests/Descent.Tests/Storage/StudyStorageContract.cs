using Descent.Storage;
using Descent.Tests.Tuning;
using Descent.Tuning;

namespace Descent.Tests.Storage;

/// <summary>What every study storage back-end (SQLite, PostgreSQL) must do alike; each back-end's tests call it with its own store.</summary>
internal static class StudyStorageContract
{
    /// <summary>
    /// A study optimized through one store reads back whole through another on the same database: direction, space, six
    /// finished trials with their typed parameters in their order, and each trial's epochs; an unknown study is null, and
    /// reopening a study with another direction is refused.
    /// </summary>
    public static void TrialsParametersAndMetricsRoundTrip(Func<SqlStudyStorage> open)
    {
        var obj = SyntheticObjective.Quadratic();
        using (var store = open())
        {
            var study = Study.Open(store, "rt", obj.DefaultSpace, obj, new StudyOptions { Trials = 6, Parallel = 2, Pruner = new MedianPruner(1, 2) });
            study.Optimize(obj);
        }
        using var again = open();
        var info = again.FindStudy("rt")!;
        Assert.Equal(Direction.Minimize, info.Direction);
        Assert.Equal(["lr", "momentum", "hidden", "batch-size"], info.Space.Names);
        var trials = again.Trials(info.Id);
        Assert.Equal(6, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.True(t.IsFinished);
            Assert.IsType<double>(t.Params["lr"]);
            Assert.IsType<long>(t.Params["hidden"]);
            Assert.Equal(["lr", "momentum", "hidden", "batch-size"], t.Params.Keys);   // the parameters keep their order
            Assert.Equal(t.Value, t.Epochs[^1].Value);
            Assert.Equal(Enumerable.Range(1, t.Epochs.Count), t.Epochs.Select(e => e.Epoch));
        });
        Assert.Null(again.FindStudy("nope"));
        Assert.Contains("direction", Assert.Throws<ArgumentException>(() => again.OpenStudy("rt", obj.DefaultSpace, Direction.Maximize, "acc")).Message);
    }
}
