using System.Globalization;
using Descent.Distributed;
using Descent.Losses;
using Descent.Training;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent train --distributed</c> under <c>mpirun</c>: starts MPI, joins the job's trainer to the other ranks
/// (<see cref="DataParallel"/>), runs the ranks other than 0 silently (they write nothing), and checks that every rank
/// starts and ends with rank 0's state. See docs/distributed.md.
/// </summary>
internal static class DistributedTraining
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Starts MPI; a missing library or a start outside mpirun is one line and exit 1.</summary>
    public static Mpi Init()
    {
        try { return Mpi.Init(); }
        catch (MpiException e) { throw new UserException(e.Message); }
    }

    /// <summary>The default <c>--threads</c> of a rank: the cores shared among the ranks on this host (mpirun's local size).</summary>
    public static int ThreadsPerRank()
    {
        int local = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), NumberStyles.Integer, Inv, out int n) && n > 0 ? n : 1;
        return Math.Max(1, Environment.ProcessorCount / local);
    }

    /// <summary>
    /// Joins <paramref name="job"/>'s trainer to the other ranks and checks that every rank starts from rank 0's weights
    /// and optimizer state (after a resume, every rank must have read the same checkpoint).
    /// </summary>
    public static DataParallel Attach(Mpi mpi, TrainingJob job, bool diagnose)
    {
        if (diagnose)
            throw new UserException("--diagnose and --distributed: the per-layer diagnostics watch one process's step; run --diagnose without mpirun.");
        var loss = job.Trainer.Loss;
        if (loss.Reduction == Reduction.Sum && (job.Config.L1 > 0 || job.Config.L2 > 0))
            throw new UserException($"--distributed with --loss {job.Loss} (a sum over the batch) and an --l1/--l2 penalty: every rank would add the penalty's gradient once; use a mean loss (mse) or --weight-decay.");
        var parallel = new DataParallel(mpi, job.Model);
        job.Trainer.GradientReducer = parallel;
        CheckSame(parallel, job, "at the start");
        return parallel;
    }

    /// <summary>Throws when some rank's model or optimizer state differs from rank 0's (every rank must call it at the same point).</summary>
    public static void CheckSame(DataParallel parallel, TrainingJob job, string when)
    {
        int differ = parallel.Same(job.Model, job.Optimizer);
        if (differ > 0)
            throw new UserException($"--distributed: {differ} of {parallel.Size} ranks hold weights or optimizer state different from rank 0's {when}"
                + (when == "at the start" ? "; with --resume every rank must read the same checkpoint (a folder the hosts share)." : "; this is a bug, please report it."));
    }

    /// <summary>A rank other than 0: trains in step with the others and writes nothing (no checkpoint, no record, no output).</summary>
    public static int RunWorker(TrainingJob job, DataParallel parallel)
    {
        job.Run();
        CheckSame(parallel, job, "after training");
        return 0;
    }

    /// <summary>The communication figures of a finished run, for <c>--json</c>.</summary>
    public static object Summary(DataParallel parallel, double trainSeconds) => new
    {
        ranks = parallel.Size,
        steps = parallel.Steps,
        gradient_bytes = parallel.GradientBytes,
        wait_seconds = parallel.WaitSeconds,
        allreduce_seconds = parallel.AllreduceSeconds,
        train_seconds = trainSeconds,
        allreduce_share = trainSeconds > 0 ? parallel.AllreduceSeconds / trainSeconds : 0,
        wait_share = trainSeconds > 0 ? parallel.WaitSeconds / trainSeconds : 0,
    };

    /// <summary>The communication figures as one line.</summary>
    public static string Describe(DataParallel parallel, double trainSeconds) => string.Create(Inv,
        $"distributed: {parallel.Size} ranks · {parallel.Steps:N0} steps · allreduce of {parallel.GradientBytes / 1e6:F2} MB a step: {Share(parallel.AllreduceSeconds, trainSeconds)} of rank 0's training time, and {Share(parallel.WaitSeconds, trainSeconds)} waiting for the slowest rank");

    private static string Share(double seconds, double total) => string.Create(Inv, $"{seconds:F2} s ({(total > 0 ? seconds / total : 0):P1})");
}
