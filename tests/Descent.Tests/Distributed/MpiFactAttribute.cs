using System.Diagnostics;

namespace Descent.Tests.Distributed;

/// <summary>
/// A <see cref="FactAttribute"/> for a test that starts <c>mpirun</c>: when Open MPI's <c>mpirun</c> or its library is
/// missing, the runner reports the test as Skipped, with the reason, instead of passing it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MpiFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Missing = new(Probe);

    /// <summary>Skips the test unless <c>mpirun</c> and <c>libmpi.so.40</c> are installed.</summary>
    public MpiFactAttribute()
    {
        if (Missing.Value is { } reason) Skip = reason;
    }

    /// <summary>The mpirun on the PATH, or null.</summary>
    public static string? Mpirun => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    private static string? Probe()
    {
        if (Mpirun is null) return "needs Open MPI's mpirun (apt-get install openmpi-bin libopenmpi-dev), which is not on the PATH";
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad(Descent.Distributed.Mpi.LibraryName, out var lib))
            return $"needs Open MPI's {Descent.Distributed.Mpi.LibraryName} (apt-get install libopenmpi-dev), which cannot be loaded";
        System.Runtime.InteropServices.NativeLibrary.Free(lib);
        return null;
    }
}

/// <summary>Runs <c>descent train</c> under <c>mpirun -np N</c> (as root too, more ranks than cores allowed) or as one process.</summary>
internal static class MpiRun
{
    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "descent-cli.dll");

    /// <summary>Runs the CLI with <paramref name="args"/> under mpirun with <paramref name="ranks"/> ranks (0: no mpirun); returns (exit code, stdout, stderr).</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string workDir, int ranks, params string[] args) => Run(workDir, ranks, [], args);

    /// <summary>As <see cref="Run(string, int, string[])"/>, with NAME=value environment variables for the ranks.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string workDir, int ranks, string[] environment, params string[] args)
    {
        var psi = ranks == 0 ? new ProcessStartInfo("dotnet") : new ProcessStartInfo(MpiFactAttribute.Mpirun!);
        foreach (var v in environment) psi.Environment[v[..v.IndexOf('=')]] = v[(v.IndexOf('=') + 1)..];
        if (ranks > 0)
            foreach (var a in new[] { "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "--allow-run-as-root", "--oversubscribe", "dotnet" })
                psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.WorkingDirectory = workDir;
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(600_000)) { p.Kill(entireProcessTree: true); return (-1, stdout.Result, "timed out after 600 s: " + stderr.Result); }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
