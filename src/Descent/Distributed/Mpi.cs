using System.Runtime.InteropServices;

namespace Descent.Distributed;

/// <summary>
/// The few calls of Open MPI that data-parallel training needs — init, rank and size, allreduce (sum), broadcast,
/// finalize — through P/Invoke on <c>libmpi.so.40</c> (Debian's <c>libopenmpi-dev</c>/<c>openmpi-bin</c>, Open MPI 4.x),
/// loaded by name at run time: the library has no build-time dependency on MPI.
/// </summary>
/// <remarks>
/// Open MPI's handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_DOUBLE</c>, <c>MPI_BYTE</c>, <c>MPI_SUM</c>) are the
/// addresses of exported globals (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_float</c>, …), found with
/// <see cref="NativeLibrary.GetExport"/>; <c>MPI_IN_PLACE</c> is the address 1. Other MPI implementations (MPICH)
/// use integer handles and are not supported. One instance per process (MPI can be initialized once).
/// <para>
/// The summation order: before <c>MPI_Init</c> the allreduce algorithm is fixed to Open MPI's ring
/// (<c>coll_tuned_use_dynamic_rules=1</c>, <c>coll_tuned_allreduce_algorithm=4</c>), unless the environment already
/// sets these MCA parameters. In the ring each element is summed once, along the ring in rank order starting at a
/// rank that depends only on the element's block, and the result is then copied to every rank: for a given number of
/// ranks the order of the additions is fixed, so every rank receives bitwise the same sums, run after run.
/// </para>
/// </remarks>
public sealed unsafe class Mpi : IDisposable
{
    /// <summary>The shared library loaded by default (Open MPI 4.x's soname).</summary>
    public const string LibraryName = "libmpi.so.40";

    /// <summary>The environment variable that names another Open MPI library to load (a path or a name), e.g. an Open MPI in /opt.</summary>
    public const string LibraryVariable = "DESCENT_MPI_LIBRARY";

    /// <summary>The library <see cref="Init"/> loads: <see cref="LibraryVariable"/> when set, else <see cref="LibraryName"/>.</summary>
    public static string Library => Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } name ? name : LibraryName;

    private const int Success = 0;
    private static readonly IntPtr InPlace = 1;   // MPI_IN_PLACE in Open MPI's mpi.h

    private readonly IntPtr _world, _float, _double, _byte, _sum;
    private readonly delegate* unmanaged<IntPtr, int*, int> _commRank, _commSize;
    private readonly delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int> _allreduce;
    private readonly delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int> _bcast;
    private readonly delegate* unmanaged<IntPtr, int, int> _abort;
    private readonly delegate* unmanaged<int> _finalize;
    private bool _finalized;
    private static int s_initialized;

    private Mpi(IntPtr lib)
    {
        _world = Export(lib, "ompi_mpi_comm_world");
        _float = Export(lib, "ompi_mpi_float");
        _double = Export(lib, "ompi_mpi_double");
        _byte = Export(lib, "ompi_mpi_byte");
        _sum = Export(lib, "ompi_mpi_op_sum");
        _commRank = (delegate* unmanaged<IntPtr, int*, int>)Export(lib, "MPI_Comm_rank");
        _commSize = (delegate* unmanaged<IntPtr, int*, int>)Export(lib, "MPI_Comm_size");
        _allreduce = (delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int>)Export(lib, "MPI_Allreduce");
        _bcast = (delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int>)Export(lib, "MPI_Bcast");
        _abort = (delegate* unmanaged<IntPtr, int, int>)Export(lib, "MPI_Abort");
        _finalize = (delegate* unmanaged<int>)Export(lib, "MPI_Finalize");
        var init = (delegate* unmanaged<int*, IntPtr*, int>)Export(lib, "MPI_Init");
        Check(init(null, null), "MPI_Init");
        int rank, size;
        Check(_commRank(_world, &rank), "MPI_Comm_rank");
        Check(_commSize(_world, &size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
    }

    /// <summary>This process's rank in <c>MPI_COMM_WORLD</c> (0 … <see cref="Size"/> − 1).</summary>
    public int Rank { get; }

    /// <summary>The number of ranks in <c>MPI_COMM_WORLD</c>.</summary>
    public int Size { get; }

    /// <summary>Whether the process was started by <c>mpirun</c>/<c>mpiexec</c> of Open MPI (its launcher sets <c>OMPI_COMM_WORLD_SIZE</c>).</summary>
    public static bool UnderMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>
    /// Loads Open MPI and calls <c>MPI_Init</c>. Throws <see cref="MpiException"/> with one actionable line when the
    /// process was not started by <c>mpirun</c>, when <see cref="LibraryName"/> cannot be loaded, or when MPI was
    /// initialized already in this process.
    /// </summary>
    public static Mpi Init()
    {
        if (!UnderMpirun)
            throw new MpiException("--distributed: this process was not started by mpirun; run e.g. `mpirun -np 2 ./descent train --distributed …` (see docs/distributed.md).");
        string library = Library;
        if (!NativeLibrary.TryLoad(library, out var lib))
            throw new MpiException(library == LibraryName
                ? $"--distributed: Open MPI's {LibraryName} could not be loaded; install it (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev)."
                : $"--distributed: Open MPI's library '{library}' (from ${LibraryVariable}) could not be loaded; check the path, or unset {LibraryVariable} to use {LibraryName}.");
        if (Interlocked.Exchange(ref s_initialized, 1) == 1)
            throw new MpiException("MPI was initialized already in this process (MPI_Init may be called once).");
        FixAllreduceOrder();
        return new Mpi(lib);
    }

    /// <summary>Sums <paramref name="data"/> element by element over all ranks, in place; every rank gets the sums.</summary>
    public void AllreduceSum(Span<float> data)
    {
        fixed (float* p = data) Check(_allreduce(InPlace, (IntPtr)p, data.Length, _float, _sum, _world), "MPI_Allreduce");
    }

    /// <summary>Sums <paramref name="data"/> element by element over all ranks, in place; every rank gets the sums.</summary>
    public void AllreduceSum(Span<double> data)
    {
        fixed (double* p = data) Check(_allreduce(InPlace, (IntPtr)p, data.Length, _double, _sum, _world), "MPI_Allreduce");
    }

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="data"/> into every other rank's (the same length on every rank).</summary>
    public void Broadcast(Span<byte> data, int root = 0)
    {
        fixed (byte* p = data) Check(_bcast((IntPtr)p, data.Length, _byte, root, _world), "MPI_Bcast");
    }

    /// <summary>Ends every rank of the job with <paramref name="code"/> (<c>MPI_Abort</c>): for a fault one rank meets alone.</summary>
    public void Abort(int code) => _abort(_world, code);

    /// <summary>Calls <c>MPI_Finalize</c> (once; every rank must reach it).</summary>
    public void Dispose()
    {
        if (_finalized) return;
        _finalized = true;
        Check(_finalize(), "MPI_Finalize");
    }

    /// <summary>
    /// Sets Open MPI's MCA parameters that force the ring allreduce, through the C environment (which <c>MPI_Init</c>
    /// reads; <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it), unless already set.
    /// </summary>
    private static void FixAllreduceOrder()
    {
        SetEnv("OMPI_MCA_coll_tuned_use_dynamic_rules", "1");
        SetEnv("OMPI_MCA_coll_tuned_allreduce_algorithm", "4");
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int CSetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    private static void SetEnv(string name, string value) => CSetEnv(name, value, overwrite: 0);

    private static IntPtr Export(IntPtr lib, string name) =>
        NativeLibrary.TryGetExport(lib, name, out var address) ? address
            : throw new MpiException($"--distributed: {LibraryName} has no symbol '{name}'; Open MPI 4.x is needed (other MPI implementations are not supported).");

    private static void Check(int code, string call)
    {
        if (code != Success) throw new MpiException($"{call} failed with MPI error code {code}.");
    }
}

/// <summary>A fault of the MPI environment (library missing, not under mpirun, an MPI call failing), with one actionable line.</summary>
public sealed class MpiException(string message) : Exception(message);
