using Descent.Schedules;
using Xunit.Abstractions;
using static Descent.Tests.TestSupport;

namespace Descent.Tests.Schedules;

/// <summary>../shared/reference/pytorch/schedules.json: the rate at epochs 0..11 from α₀ = 0.1, each built from its text form.</summary>
public class ScheduleReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases => new()
    {
        { "step_lr_step3_gamma0.5", "step:size=3,gamma=0.5" },
        { "exponential_gamma0.95", "exponential:base=0.95" },
        { "cosine_tmax10_etamin0.001", "cosine:tmax=10,etamin=0.001" },
        { "inverse_time_decay_rate1", "inverse-time:decay=1" },
        { "inverse_sqrt_k1", "inverse-sqrt:k=1" },
        { "linear_warmup3_then_constant", "warmup:steps=3+constant" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string key, string spec)
    {
        var d = Reference("schedules.json");
        double lr0 = d.GetProperty("lr0").GetDouble();
        var expected = Flat(d.GetProperty(key));
        var schedule = ScheduleSpec.Parse(spec);
        Assert.False(schedule.PerStep);
        var actual = Enumerable.Range(0, expected.Length).Select(e => schedule.LearningRate(lr0, e)).ToArray();
        output.WriteLine($"{key} ({spec}): max relative difference {MaxRel(expected, actual):E3}");
        Close(expected, actual, 1e-10, what: key);
    }
}
