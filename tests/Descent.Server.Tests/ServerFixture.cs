using System.Globalization;
using Descent.Storage;
using Descent.Tuning;

namespace Descent.Server.Tests;

/// <summary>
/// One server for the tests, on a free port of 127.0.0.1, over a temporary database seeded as <c>descent train</c> and
/// <c>descent tune</c> would have written it: a finished run with a --diagnose report, a diverged run, and a study of six
/// trials (one still running). Tests that need a run that moves write epochs into the same database meanwhile.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "descent-serve-tests-" + Guid.NewGuid().ToString("N")[..8]);
    public string Database => Path.Combine(Folder, "descent.db");
    public DescentServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public Uri Address => Server.Address;
    public long FinishedRun { get; private set; }
    public long DivergedRun { get; private set; }
    public const string Study = "demo study";

    public const string Config = """{"data":"circles","model":"mlp:16","optimizer":"sgd:lr=0.1","schedule":"cosine","batch_size":32,"epochs":5,"seed":0}""";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        using (var runs = RunStore.Open(Database))
        {
            FinishedRun = runs.CreateRun(Config);
            for (int e = 1; e <= 5; e++) runs.AddEpoch(FinishedRun, e, Epoch(e));
            runs.Finish(FinishedRun, RunStatus.Finished, """
                {"test_loss":0.31,"test_accuracy":0.88,"diagnostics":{"layers":[{"index":1,"name":"1","kind":"relu","mean":0.5,"std":0.9,"saturated_fraction":0,"dead_fraction":0.42,
                "gradient_std":0.001,"weight_gradient_norm":0.09,"weight_norm":23.5,"update_ratio":0.0003}],"batches":30,"gradient_ratio":0.7,
                "advice":[{"level":"Warning","layer":1,"finding":"42% of the ReLU units of layer 1 are dead","suggestion":"lower the learning rate"}]}}
                """);
            DivergedRun = runs.CreateRun(Config.Replace("lr=0.1", "lr=50"));
            runs.AddEpoch(DivergedRun, 1, Epoch(1));
            runs.Finish(DivergedRun, RunStatus.Diverged, null, null, "the loss became NaN at epoch 2");
        }
        using (var studies = new StudyStore(Database))
        {
            var space = new SearchSpace()
                .Add("lr", new LogUniformDistribution(1e-4, 1))
                .Add("momentum", new OneMinusLogUniformDistribution(0.5, 0.999))
                .Add("batch-size", new CategoricalDistribution([32L, 64L, 128L]));
            var info = studies.OpenStudy(Study, space, Direction.Minimize, "val_loss");
            var rng = new Rng(7);
            var request = new ClaimRequest(WorkerInfo.ForThisProcess("t"), 6, TimeSpan.FromHours(1), 0, _ => new TrialPlan(space.Sample(rng)));
            for (int i = 0; i < 6; i++)
            {
                var t = studies.Claim(info.Id, request)!;
                if (i == 5) break;   // left running
                for (int e = 1; e <= 3; e++) studies.ReportEpoch(t.Id, new EpochMetric(e, 1.0 / (e + i)));
                studies.Finish(t.Id, i == 4 ? TrialState.Pruned : TrialState.Complete, 1.0 / (3 + i), null);
            }
        }
        Descent.Server.Api.RunsApi.PollInterval = TimeSpan.FromMilliseconds(100);   // live pages see a new epoch within 0.1 s
        Server = await DescentServer.StartAsync(new ServeOptions(Port: 0, Database: Database));
        Http = new HttpClient { BaseAddress = Server.Address };
    }

    /// <summary>Metrics as TrainingJob.MetricsOf writes them.</summary>
    public static Dictionary<string, double> Epoch(int e) => new()
    {
        ["epoch"] = e, ["train_loss"] = 1.0 / e, ["val_loss"] = 1.1 / e, ["train_accuracy"] = 0.5 + 0.08 * e, ["val_accuracy"] = 0.48 + 0.08 * e,
        ["learning_rate"] = 0.1 * (1 + Math.Cos(Math.PI * e / 5)) / 2, ["seconds"] = 0.2,
    };

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "server";
}
