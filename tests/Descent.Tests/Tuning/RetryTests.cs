using Descent.Storage;
using Descent.Tuning;

namespace Descent.Tests.Tuning;

/// <summary><c>--retries R</c>: a failing parameter set runs at most 1 + R times, in memory and in SQLite alike.</summary>
public sealed class RetryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "descent-retry-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); } catch (IOException) { }
    }

    public static TheoryData<int, bool> Cases => new() { { 0, false }, { 1, false }, { 2, false }, { 0, true }, { 1, true }, { 2, true } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AParameterSetThatAlwaysFailsRunsOncePlusRetries(int retries, bool sqlite)
    {
        var runs = new System.Collections.Concurrent.ConcurrentDictionary<double, int>();
        double? first = null;
        var runner = new FuncRunner((p, e) => 1.0, epochs: 1)
        {
            BeforeRun = c =>
            {
                first ??= c.Parameters.GetDouble("x");
                runs.AddOrUpdate(c.Parameters.GetDouble("x"), 1, (_, n) => n + 1);
                throw new InvalidOperationException("always fails");
            },
        };
        var space = new SearchSpace().Add("x", new UniformDistribution(0, 1));
        using var store = sqlite ? new StudyStore(Path.Combine(_dir, "descent.db")) : null;
        IStudyStorage storage = store ?? (IStudyStorage)new InMemoryStudyStorage();
        var study = Study.Open(storage, "fails", space, runner, new StudyOptions { Trials = 2, MaxRetries = retries });
        study.Optimize(runner);
        // The first set used up its retries; later ones may be cut short when the study gives up (10 failures).
        Assert.Equal(1 + retries, runs[first!.Value]);
        Assert.All(runs.Values, n => Assert.InRange(n, 1, 1 + retries));
    }
}
