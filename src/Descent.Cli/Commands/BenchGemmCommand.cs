using System.CommandLine;
using System.Globalization;
using Descent.Kernels;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent bench gemm</c>: GFLOP/s of <see cref="FastKernels"/>' GEMM on square matrices and on the shapes of
/// one training step of the MLP 784-256-128-10 at batch 128 (the same shapes as <c>anchors/gemm_anchor.py</c>, so
/// the figures compare with OpenBLAS), at each thread count, with % of this machine's peak: measured by
/// <see cref="PeakProbe"/> (FMA throughput at the GEMM's vector width, one core and all cores), or given by
/// <c>--peak-per-core</c>. It prints the processor's model, vector width and cache sizes with the table.
/// </summary>
internal static class BenchGemmCommand
{
    /// <summary>One measured case: C[m, n] = op(A)·op(B) with inner size k.</summary>
    public sealed record Shape(string Name, int M, int N, int K, bool TransA, bool TransB);

    /// <summary>Squares, then the MLP shapes: forward as the anchor writes it and as PyTorch's x·Wᵀ, and both backward
    /// products (names match <c>gemm_anchor.py</c>'s where it has the shape; ^T marks an operand read transposed).</summary>
    public static Shape[] Shapes(bool quick) =>
    [
        .. (quick ? new[] { 256, 1024 } : [128, 256, 512, 1024, 2048]).Select(s => new Shape($"square {s}", s, s, s, false, false)),
        new("fwd  128x784 @ 784x256", 128, 256, 784, false, false),
        new("fwd  128x256 @ 256x128", 128, 128, 256, false, false),
        new("fwd  128x128 @ 128x10", 128, 10, 128, false, false),
        new("x·Wᵀ 128x784 @ (256x784)^T", 128, 256, 784, false, true),
        new("x·Wᵀ 128x256 @ (128x256)^T", 128, 128, 256, false, true),
        new("dW   (128x256)^T @ 128x784", 256, 784, 128, true, false),
        new("dW   (128x128)^T @ 128x256", 128, 256, 128, true, false),
        new("dX   128x256 @ (784x256)^T", 128, 784, 256, false, true),
        new("dX   128x256 @ 256x784", 128, 784, 256, false, false),
        new("dX   128x128 @ 128x256", 128, 256, 128, false, false),
    ];

    public static Command Create()
    {
        var json = CliApp.JsonOption();
        var seed = CliApp.SeedOption();
        var threads = BenchCommand.ThreadsOption();
        var repeats = BenchCommand.RepeatsOption();
        var dtype = new Option<string>("--dtype") { Description = "float32 or float64.", DefaultValueFactory = _ => "float32" };
        var peak = new Option<double?>("--peak-per-core") { Description = "Peak GFLOP/s of one core for float32, instead of the measured one (float64 is half)." };
        var quick = new Option<bool>("--quick") { Description = "Fewer square sizes (256 and 1024)." };
        var only = new Option<string?>("--only") { Description = "Only the shapes whose name contains this text, e.g. 'square 1024' or 'dW'." };
        var cmd = new Command("gemm", "GEMM speed: GFLOP/s and % of peak for squares and the MLP training shapes, per thread count.")
        {
            json, seed, threads, repeats, dtype, peak, quick, only,
        };
        CliApp.SetAction(cmd, p =>
        {
            var counts = BenchCommand.ParseThreads(p.GetValue(threads)!);
            string dt = p.GetValue(dtype)!.Trim().ToLowerInvariant();
            if (dt is not ("float32" or "float64")) throw new UserException($"--dtype must be float32 or float64, got '{dt}'.");
            var (peakOne, peakAll, cores, source) = Peak(p.GetValue(peak), dt);
            // Measured before the timings, on an idle pool, so the GEMMs below split by the measured threshold.
            double handOff = PeakProbe.HandOffSeconds * 1e6;
            _ = PeakProbe.Measured;
            long threshold = GemmThreads.Threshold;
            int reps = p.GetValue(repeats);
            var rng = new Rng(p.GetValue(seed));
            var rows = new List<Row>();
            int saved = Threading.MaxThreads;
            try
            {
                foreach (var s in Chosen(Shapes(p.GetValue(quick)), p.GetValue(only)))
                    foreach (int t in counts)
                    {
                        Threading.MaxThreads = t;
                        double sec = dt == "float32" ? Time<float>(s, rng, reps) : Time<double>(s, rng, reps);
                        double gflops = 2.0 * s.M * s.N * s.K / sec / 1e9;
                        rows.Add(new Row(s.Name, s.M, s.N, s.K, s.TransA, s.TransB, t, sec * 1e6, gflops, 100 * gflops / PeakAt(t, peakOne, peakAll, cores)));
                    }
            }
            finally { Threading.MaxThreads = saved; }
            var cpu = CpuInfo.Current;
            int width = PeakProbe.Measured.Width;
            if (p.GetValue(json))
                CliApp.WriteJson(new
                {
                    benchmark = "gemm", dtype = dt, kernel = FastKernels.GemmKernel, cpu = cpu.Describe(), vector_bits = width,
                    l1d_bytes = cpu.L1DataBytes, l2_bytes = cpu.L2Bytes, l3_bytes = cpu.L3Bytes,
                    peak_gflops_per_core = peakOne, peak_gflops_all_cores = peakAll, peak_cores = cores, peak_source = source,
                    hand_off_us = handOff, parallel_threshold_multiply_adds = threshold, repeats = reps, results = rows,
                });
            else
            {
                var table = new Table().AddColumns("shape", "m×n×k", "threads", "µs", "GFLOP/s", "% of peak");
                foreach (var r in rows)
                    table.AddRow(Markup.Escape(r.Shape), $"{r.M}×{r.N}×{r.K}", r.Threads.ToString(CultureInfo.InvariantCulture),
                        r.Microseconds.ToString("0.0", CultureInfo.InvariantCulture), r.Gflops.ToString("0.0", CultureInfo.InvariantCulture),
                        r.PercentOfPeak.ToString("0", CultureInfo.InvariantCulture) + "%");
                var console = CliApp.Console();
                console.Write(table);
                console.MarkupLine(Markup.Escape($"processor: {cpu.Describe()}; {width}-bit vectors ({FastKernels.GemmKernel} kernel); caches {cpu.DescribeCaches()}."));
                console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"{dt} peak ({source}): {peakOne:0.0} GFLOP/s on one core, {peakAll:0.0} on {cores}; worker-pool hand-off {handOff:0.00} µs, so a GEMM splits from {threshold:N0} multiply-adds; best of {reps} rounds.")));
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// Peak GFLOP/s of one core and of <c>cores</c> cores for <paramref name="dtype"/>: the override × 1 and × cores when
    /// given, else <see cref="PeakProbe.Measured"/> (float64 at half the float32 rate: half the lanes).
    /// </summary>
    internal static (double One, double All, int Cores, string Source) Peak(double? perCore, string dtype)
    {
        double scale = dtype == "float64" ? 0.5 : 1;
        if (perCore is { } given)
        {
            if (!(given > 0) || double.IsInfinity(given)) throw new UserException($"--peak-per-core must be a positive number of GFLOP/s, got {given}.");
            int n = Environment.ProcessorCount;
            return (given * scale, given * scale * n, n, "--peak-per-core");
        }
        var m = PeakProbe.Measured;
        return (m.OneCore * scale, m.AllCores * scale, m.Cores, "measured");
    }

    /// <summary>The peak of <paramref name="threads"/> threads: one core's, all cores', or in between in proportion.</summary>
    internal static double PeakAt(int threads, double one, double all, int cores)
    {
        int t = Math.Clamp(threads, 1, cores);
        return cores == 1 ? one : one + (all - one) * (t - 1) / (cores - 1);
    }

    /// <summary>The shapes whose name contains <paramref name="only"/> (all when it is empty); none is a user error.</summary>
    internal static Shape[] Chosen(Shape[] shapes, string? only)
    {
        if (string.IsNullOrWhiteSpace(only)) return shapes;
        string want = System.Text.RegularExpressions.Regex.Replace(only.Trim(), @"\s+", " ");
        var chosen = shapes.Where(s => System.Text.RegularExpressions.Regex.Replace(s.Name, @"\s+", " ").Contains(want, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (chosen.Length == 0)
            throw new UserException($"--only '{only}' matches no shape; the shapes are: {string.Join(", ", shapes.Select(s => s.Name))}.");
        return chosen;
    }

    /// <summary>A result row (snake_case in JSON).</summary>
    public sealed record Row(string Shape, int M, int N, int K, bool TransA, bool TransB, int Threads, double Microseconds, double Gflops, double PercentOfPeak);

    private static double Time<T>(Shape s, Rng rng, int repeats) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var a = Random<T>(rng, s.M * s.K);
        var b = Random<T>(rng, s.K * s.N);
        var c = new T[s.M * s.N];
        int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
        var kern = FastKernels.Instance;
        return BenchCommand.BestSeconds(() => kern.Gemm(s.TransA, s.TransB, s.M, s.N, s.K, T.One, a, lda, b, ldb, T.Zero, c, s.N), repeats);
    }

    private static T[] Random<T>(Rng rng, int n) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = new T[n];
        for (int i = 0; i < n; i++) x[i] = T.CreateTruncating(rng.NextNormal());
        return x;
    }
}
