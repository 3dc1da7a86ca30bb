using System.Text.Json;

namespace Descent.Tests.Cli;

/// <summary>Runs the CLI in-process and captures stdout/stderr.</summary>
public static class CliRunner
{
    private static readonly object Lock = new();

    public static (int Exit, string Out, string Err) Run(params string[] args) => RunAt(null, args);

    /// <summary>Runs with <c>$COLUMNS</c> set to <paramref name="columns"/> (the console width of tables), or unset.</summary>
    public static (int Exit, string Out, string Err) RunAt(int? columns, params string[] args)
    {
        lock (Lock)
        {
            string? oldColumns = Environment.GetEnvironmentVariable("COLUMNS");
            Environment.SetEnvironmentVariable("COLUMNS", columns?.ToString());
            try { return Invoke(args); }
            finally { Environment.SetEnvironmentVariable("COLUMNS", oldColumns); }
        }
    }

    private static (int Exit, string Out, string Err) Invoke(string[] args)
    {
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            Console.SetOut(o); Console.SetError(e);
            try
            {
                var entry = typeof(Descent.Cli.CliApp).Assembly.EntryPoint!;
                int code = (int)entry.Invoke(null, [args])!;
                return (code, o.ToString(), e.ToString());
            }
            finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
        }
    }
}

public class GradCheckCommandTests
{
    [Fact]
    public void JsonIsOneDocumentAndAllPass()
    {
        var (exit, stdout, _) = CliRunner.Run("gradcheck", "--json");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("passed").GetBoolean());
        Assert.True(doc.RootElement.GetProperty("largest_relative_difference").GetDouble() <= 1e-7);
        Assert.True(doc.RootElement.GetProperty("checks").GetArrayLength() >= 8);
        var cnn = doc.RootElement.GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("model").GetString()!.StartsWith("cnn")).ToList();
        Assert.Contains(cnn, c => c.GetProperty("parameter").GetString() == "0.weight" && c.GetProperty("passed").GetBoolean());
        Assert.Contains(cnn, c => c.GetProperty("parameter").GetString() == "x" && c.GetProperty("shape").GetArrayLength() == 4);
    }

    [Fact]
    public void BadOptionValueIsExitOneWithOneLine()
    {
        var (exit, _, stderr) = CliRunner.Run("gradcheck", "--epsilon", "-1");
        Assert.Equal(1, exit);
        Assert.Contains("--epsilon", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void ImpossibleToleranceFailsWithExitOne()
    {
        var (exit, stdout, _) = CliRunner.Run("gradcheck", "--json", "--tolerance", "1e-30");
        Assert.Equal(1, exit);
        Assert.False(JsonDocument.Parse(stdout).RootElement.GetProperty("passed").GetBoolean());
    }
}
