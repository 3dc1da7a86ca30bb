using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent bench</c>: speed measurements, one subcommand per benchmark (<c>gemm</c>; add others with one line
/// in <see cref="Create"/>). Shared here: the <c>--threads</c> list and best-of-N timing.
/// </summary>
/// <remarks>
/// <c>bench/compare.sh mlp</c> runs <c>descent bench mlp --json</c> when that subcommand exists and reads
/// <c>train_samples_per_s</c> from its JSON document (the peers' figure: training samples a second).
/// </remarks>
internal static class BenchCommand
{
    public static Command Create()
    {
        var cmd = new Command("bench", "Measure speed: `descent bench gemm` (matrix multiply, GFLOP/s and % of peak), `descent bench mlp` and `descent bench cnn` (training and inference of the default models).");
        cmd.Subcommands.Add(BenchGemmCommand.Create());
        cmd.Subcommands.Add(BenchTrainCommand.Mlp());
        cmd.Subcommands.Add(BenchTrainCommand.Cnn());
        return cmd;
    }

    /// <summary><c>--threads</c>: comma-separated thread counts to measure (default: 1 and the processor count).</summary>
    public static Option<string> ThreadsOption() => new("--threads")
    {
        Description = "Comma-separated thread counts to measure, e.g. 1,2 (default: 1 and the processor count).",
        DefaultValueFactory = _ => Environment.ProcessorCount > 1 ? $"1,{Environment.ProcessorCount}" : "1",
    };

    /// <summary><c>--repeats</c>: timed rounds per measurement; the best round is reported (the machine is shared and noisy).</summary>
    public static Option<int> RepeatsOption() => new("--repeats")
    {
        Description = "Timed rounds per measurement; the fastest is reported (other load only slows a round down).",
        DefaultValueFactory = _ => 7,
    };

    /// <summary>Parses "1,2" into thread counts, quoting a bad entry.</summary>
    public static int[] ParseThreads(string text)
    {
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int t) || t < 1)
                throw new UserException($"--threads expects positive integers separated by commas, got '{part}' in '{text}'.");
            list.Add(t);
        }
        if (list.Count == 0) throw new UserException($"--threads lists no thread count: '{text}'.");
        return [.. list];
    }

    /// <summary>
    /// Seconds per call of <paramref name="action"/>: warms up, picks a repetition count that runs ≈ 50 ms,
    /// then returns the fastest of <paramref name="repeats"/> rounds.
    /// </summary>
    public static double BestSeconds(Action action, int repeats)
    {
        if (repeats < 1) throw new UserException($"--repeats must be ≥ 1, got {repeats}.");
        action(); action();
        int reps = 1;
        while (true)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) action();
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (s > 0.05 || reps > 1 << 20) break;
            reps = s < 0.005 ? reps * 10 : reps * 2;
        }
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds / reps);
        }
        return best;
    }
}
