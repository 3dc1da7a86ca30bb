using System.Net;
using System.Text.Json;

namespace Descent.Server.Tests.Api;

/// <summary>The study routes: the list with the best value, and one study with each parameter's scale and every trial.</summary>
[Collection(ServerCollection.Name)]
public sealed class StudiesApiTests(ServerFixture server)
{
    [Fact]
    public async Task AStudyHasItsTrialsAndEachParametersScale()
    {
        var s = JsonDocument.Parse(await server.Http.GetStringAsync("/api/studies/demo%20study")).RootElement;
        var scales = s.GetProperty("space").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("scale").GetString());
        Assert.Equal("log", scales["lr"]);
        Assert.Equal("one_minus_log", scales["momentum"]);
        Assert.Equal("categorical", scales["batch-size"]);
        var trials = s.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(6, trials.Count);
        Assert.Equal(["complete", "complete", "complete", "complete", "pruned", "running"], trials.Select(t => t.GetProperty("state").GetString()));
        Assert.Equal(3, trials[0].GetProperty("epochs").GetArrayLength());
        foreach (var t in trials.Take(5))
            foreach (var u in t.GetProperty("unit").EnumerateObject()) Assert.InRange(u.Value.GetDouble(), 0, 1);
    }

    [Fact]
    public async Task TheListGivesTheBestValue()
    {
        var list = JsonDocument.Parse(await server.Http.GetStringAsync("/api/studies")).RootElement;
        var demo = list.EnumerateArray().Single(x => x.GetProperty("name").GetString() == ServerFixture.Study);
        Assert.Equal(1.0 / 6, demo.GetProperty("best").GetDouble(), 12);   // the best complete trial (the pruned 1/7 does not count)
        Assert.Equal(1, demo.GetProperty("running").GetInt32());
    }

    [Fact]
    public async Task AMissingStudyIs404WithItsName()
    {
        var r = await server.Http.GetAsync("/api/studies/nope");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("there is no study 'nope'", await r.Content.ReadAsStringAsync());
    }
}
