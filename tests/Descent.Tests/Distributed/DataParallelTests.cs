using System.Diagnostics;
using System.Text.Json;
using Descent.Serialization;

namespace Descent.Tests.Distributed;

/// <summary>
/// <c>mpirun -np N descent train --distributed</c> against one process on the same global batch: the same weights to
/// 1e-5 relative after an epoch and the same accuracy to 0.002; two runs with the same N bitwise the same; a resume
/// with the same N bitwise the same as a run never stopped.
/// </summary>
public class DataParallelTests
{
    // A plain MLP (no batch norm: its statistics are per rank) on a small synthetic set; the batch splits 16 + 16.
    private static string[] Train(string outDir, string db, params string[] more) =>
        ["train", "--data", "spirals:n=2000", "--hidden", "64,32", "--epochs", "1", "--batch-size", "32", "--out", outDir, "--db", db, "--json", .. more];

    [MpiFact]
    public void TwoRanksMatchOneProcessOnTheSameGlobalBatch()
    {
        using var dir = new TempDir();
        var one = MpiRun.Run(dir.Path, 0, Train("one", "one.db"));
        Assert.True(one.Exit == 0, one.Stderr + one.Stdout);
        var two = MpiRun.Run(dir.Path, 2, [.. Train("two", "two.db"), "--distributed"]);
        Assert.True(two.Exit == 0, two.Stderr + two.Stdout);

        var a = Checkpoint.Load(Path.Combine(dir.Path, "one")).Model;
        var b = Checkpoint.Load(Path.Combine(dir.Path, "two")).Model;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, wa) in a)
        {
            double rel = RelativeDifference(wa, b[name]);
            Assert.True(rel <= 1e-5, $"{name}: max|Δw| / max|w| = {rel:G3} between 2 ranks and 1 process (expected ≤ 1e-5)");
        }
        var ja = JsonDocument.Parse(one.Stdout).RootElement;
        var jb = JsonDocument.Parse(two.Stdout).RootElement;   // only rank 0 prints
        double accA = ja.GetProperty("test_accuracy").GetDouble(), accB = jb.GetProperty("test_accuracy").GetDouble();
        Assert.True(Math.Abs(accA - accB) <= 0.002, $"test accuracy {accA} in 1 process, {accB} with 2 ranks");
        Assert.Equal(2, jb.GetProperty("distributed").GetProperty("ranks").GetInt32());
        // The same global batches: the same number of steps and examples per epoch.
        Assert.Equal(ja.GetProperty("epochs")[0].GetProperty("train_accuracy").GetDouble(), jb.GetProperty("epochs")[0].GetProperty("train_accuracy").GetDouble(), 0.002);
        Assert.Equal(2000 / 32 + 1, jb.GetProperty("distributed").GetProperty("steps").GetInt64());
    }

    [MpiFact]
    public void TwoRunsWithTheSameRanksAreBitwiseTheSame()
    {
        using var dir = new TempDir();
        foreach (int ranks in new[] { 2, 3 })   // 3 ranks: an order of additions that matters (a + b is b + a, but (a + b) + c is not a + (b + c))
        {
            var first = MpiRun.Run(dir.Path, ranks, [.. Train($"a{ranks}", $"a{ranks}.db", "--distributed")]);
            Assert.True(first.Exit == 0, first.Stderr + first.Stdout);
            var second = MpiRun.Run(dir.Path, ranks, [.. Train($"b{ranks}", $"b{ranks}.db", "--distributed")]);
            Assert.True(second.Exit == 0, second.Stderr + second.Stdout);
            var wa = File.ReadAllBytes(Path.Combine(dir.Path, $"a{ranks}", Checkpoint.ModelFile));
            var wb = File.ReadAllBytes(Path.Combine(dir.Path, $"b{ranks}", Checkpoint.ModelFile));
            Assert.True(wa.AsSpan().SequenceEqual(wb), $"two runs with {ranks} ranks end with different weights");
        }
    }

    [MpiFact]
    public void OnlyRankZeroWritesAndResumeWithTheSameRanksIsBitwiseTheSame()
    {
        using var dir = new TempDir();
        string[] args = ["train", "--data", "spirals:n=3000", "--hidden", "128,128", "--epochs", "6", "--batch-size", "16", "--distributed", "--json"];
        var whole = MpiRun.Run(dir.Path, 2, [.. args, "--out", "whole", "--db", "whole.db"]);
        Assert.True(whole.Exit == 0, whole.Stderr + whole.Stdout);
        // Rank 0 recorded one run and printed one JSON document; rank 1 recorded and printed nothing (it was given the same --db and --out).
        using (var store = Descent.Storage.RunStore.Open(Path.Combine(dir.Path, "whole.db"))) Assert.Single(store.ListRuns());
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(whole.Stdout).RootElement.ValueKind);

        // Killed (mpirun and its ranks) once the first epoch is checkpointed, then resumed with 2 ranks.
        var psi = new ProcessStartInfo(MpiFactAttribute.Mpirun!) { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-np", "2", "--allow-run-as-root", "--oversubscribe", "dotnet", Path.Combine(AppContext.BaseDirectory, "descent-cli.dll") }
                     .Concat(args).Concat(["--out", "killed", "--db", "killed.db"]))
            psi.ArgumentList.Add(a);
        using (var victim = Process.Start(psi)!)
        {
            var sw = Stopwatch.StartNew();
            string state = Path.Combine(dir.Path, "killed", Checkpoint.StateFile);
            while (!File.Exists(state) && sw.Elapsed < TimeSpan.FromSeconds(120) && !victim.HasExited) Thread.Sleep(5);
            Assert.False(victim.HasExited, "the run finished before it could be killed; make it longer");
            victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
        }
        var resumed = MpiRun.Run(dir.Path, 2, "train", "--resume", "killed", "--db", "killed.db", "--distributed", "--json");
        Assert.True(resumed.Exit == 0, resumed.Stderr + resumed.Stdout);
        var wa = File.ReadAllBytes(Path.Combine(dir.Path, "whole", Checkpoint.ModelFile));
        var wb = File.ReadAllBytes(Path.Combine(dir.Path, "killed", Checkpoint.ModelFile));
        Assert.True(wa.AsSpan().SequenceEqual(wb), "weights differ after kill + resume with 2 ranks");
    }

    [Fact]
    public void DistributedOutsideMpirunIsOneLineAndExitOne()
    {
        using var dir = new TempDir();
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "descent-cli.dll"), "train", "--data", "xor", "--distributed", "--db", "x.db" })
            psi.ArgumentList.Add(a);
        foreach (var v in new[] { "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK" }) psi.Environment.Remove(v);
        using var p = Process.Start(psi)!;
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(1, p.ExitCode);
        Assert.Equal("descent: --distributed: this process was not started by mpirun; run e.g. `mpirun -np 2 ./descent train --distributed …` (see docs/distributed.md).", stderr.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));   // nothing written
    }

    [MpiFact]
    public void AMissingMpiLibraryIsOneLineAndExitOne()
    {
        using var dir = new TempDir();
        var run = MpiRun.Run(dir.Path, 2, [$"{Descent.Distributed.Mpi.LibraryVariable}=/nonexistent/libmpi.so.40"], "train", "--data", "xor", "--distributed", "--db", "x.db");
        Assert.NotEqual(0, run.Exit);
        Assert.Contains("descent: --distributed: Open MPI's library '/nonexistent/libmpi.so.40' (from $DESCENT_MPI_LIBRARY) could not be loaded; check the path, or unset DESCENT_MPI_LIBRARY to use libmpi.so.40.", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);   // no stack trace
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>max |a − b| / max |a| over the elements.</summary>
    private static double RelativeDifference(Tensor a, Tensor b)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs(a[i]));
        }
        return scale > 0 ? diff / scale : diff;
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "descent-mpi-" + Guid.NewGuid().ToString("N"))).FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { }
        }
    }
}
