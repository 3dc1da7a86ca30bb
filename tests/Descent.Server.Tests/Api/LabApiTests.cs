using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Descent.Lab;

namespace Descent.Server.Tests.Api;

/// <summary>The lab's routes run the library's experiments: the numbers are the engine's, and the words the report's.</summary>
[Collection(ServerCollection.Name)]
public sealed class LabApiTests(ServerFixture server)
{
    private async Task<JsonElement> Post(string path, object body)
    {
        var r = await server.Http.PostAsJsonAsync(path, body);
        string text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task DescendFollowsTheUpdateRuleOfTheNotes()
    {
        var r = await Post("/api/lab/descend", new { function = "elongated", lr = 0.5, steps = 10 });
        var path = r.GetProperty("paths")[0].GetProperty("path");
        // x⁽¹⁾ = x⁽⁰⁾ − γ∇f(x⁽⁰⁾) with ∇f = (0.2x₁, 2x₂) from (−8, 5): (−8 + 0.8, 5 − 5) = (−7.2, 0).
        Assert.Equal(-7.2, path[1][0].GetDouble(), 12);
        Assert.Equal(0, path[1][1].GetDouble(), 12);
        Assert.Equal(11, path.GetArrayLength());
        Assert.Equal(120 * 90, r.GetProperty("function").GetProperty("grid").GetProperty("z").GetArrayLength());
    }

    [Fact]
    public async Task AnotherLearningRateGivesAnotherPath()
    {
        var a = await Post("/api/lab/descend", new { function = "quadratic", lr = 0.1, steps = 100 });
        var b = await Post("/api/lab/descend", new { function = "quadratic", lr = 1.0, steps = 100 });
        // f = x² − 10x + 1 from 20: γ = 0.1 steps to 20 − 0.1·30 = 17 and reaches 5; γ = 1 bounces 20 → −10 → 20 …
        Assert.Equal(17, a.GetProperty("paths")[0].GetProperty("path")[1][0].GetDouble(), 12);
        Assert.Equal("converged", a.GetProperty("paths")[0].GetProperty("status").GetString());
        Assert.Equal(-10, b.GetProperty("paths")[0].GetProperty("path")[1][0].GetDouble(), 12);
        Assert.Equal("oscillating", b.GetProperty("paths")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheOptimizerRaceRunsTheChosenOptimizerBesideSgd()
    {
        var r = await Post("/api/lab/optimizers", new { race = "elongated", optimizer = "momentum", lr = 0.05, beta = 0.9 });
        var paths = r.GetProperty("paths");
        Assert.Equal("sgd:lr=0.05", paths[0].GetProperty("optimizer").GetString());
        Assert.Equal("momentum:lr=0.05,momentum=0.9", paths[1].GetProperty("optimizer").GetString());
        var expected = OptimizersLab.Run(OptimizersLab.DefaultRaces().First(x => x.Name == "elongated"), "momentum:lr=0.05,momentum=0.9");
        Assert.Equal(expected.FinalF, paths[1].GetProperty("final_f").GetDouble(), 12);
    }

    [Fact]
    public async Task TheNetworkExperimentsMeasureEachLayer()
    {
        var init = await Post("/api/lab/init", new { activation = "tanh", init = "normal", scale = 0.01, depth = 4, width = 50 });
        var layers = init.GetProperty("layers");
        Assert.Equal(4, layers.GetArrayLength());
        Assert.True(layers[3].GetProperty("std").GetDouble() < layers[0].GetProperty("std").GetDouble() / 10, "N(0, 0.01²) with tanh collapses layer by layer");
        var v = await Post("/api/lab/vanishing", new { activation = "sigmoid", depth = 12, kind = "plain", width = 40 });
        Assert.Equal("vanishing", v.GetProperty("verdict").GetString());
        Assert.Equal(12, v.GetProperty("gradient_norms").GetArrayLength());
    }

    [Fact]
    public async Task SchedulesAreTheLibrarysSchedules()
    {
        var r = await Post("/api/lab/schedules", new { schedules = new[] { "inverse-time:decay=1" }, base_rate = 0.5, epochs = 4 });
        var rates = r[0].GetProperty("rates").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal([0.5, 0.25, 0.5 / 3, 0.125, 0.1], rates, new Tolerance(1e-12));
    }

    [Fact]
    public async Task BatchNormStreamsProgressThenTheCurves()
    {
        using var response = await server.Http.GetAsync("/api/lab/batchnorm?depth=2&epochs=2", HttpCompletionOption.ResponseHeadersRead);
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(6, body.Split("event: progress").Length - 1);   // epochs 0, 1, 2 for each network
        string result = body.Split("event: result\ndata: ")[1].Split('\n')[0];
        var curves = JsonDocument.Parse(result).RootElement;
        Assert.Equal([false, true], curves.EnumerateArray().Select(c => c.GetProperty("batch_norm").GetBoolean()));
        Assert.Equal(3, curves[0].GetProperty("epochs").GetArrayLength());
    }

    [Fact]
    public async Task TheLessonsAreTheReportsWords()
    {
        var lessons = JsonDocument.Parse(await server.Http.GetStringAsync("/api/lab/lessons")).RootElement.EnumerateArray().ToList();
        Assert.Equal(["descend", "optimizers", "schedules", "vanishing", "init", "batchnorm"], lessons.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(DescendLab.Lesson, lessons[0].GetProperty("text").GetString());
        Assert.Equal(Lesson.Descend.Formula, lessons[0].GetProperty("formula").GetString());
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double x) => 0;
    }
}
