using System.Text.RegularExpressions;
using Spectre.Console;

namespace Descent.Tests.Cli.Rendering;

/// <summary>
/// A Spectre console of a fixed width writing into a string — a terminal (ANSI, interactive: the live display runs)
/// or a pipe — and the text a person would see: escape sequences removed, one entry per physical line.
/// </summary>
/// <remarks>Spectre.Console.Testing's TestConsole needs Spectre 0.55, newer than the CLI's pinned 0.49.1, so this is
/// the same thing built from <see cref="AnsiConsole.Create"/>.</remarks>
internal sealed partial class TestConsole
{
    private readonly StringWriter _writer = new();

    public TestConsole(int width, bool terminal)
    {
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_writer),
            Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        Console.Profile.Width = width;
        Console.Profile.Height = 50;
        Width = width;
    }

    public IAnsiConsole Console { get; }

    public int Width { get; }

    /// <summary>Everything written, raw.</summary>
    public string Raw => _writer.ToString();

    /// <summary>The physical lines: escape sequences (cursor moves, erases) removed, split at line feeds and carriage returns.</summary>
    public IReadOnlyList<string> Lines => Escape().Replace(Raw, "\n").Split('\n', '\r').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();

    /// <summary>The visible text as one string of words (line breaks and runs of spaces become one space).</summary>
    public string Words => Collapse(string.Join(" ", Lines));

    /// <summary>Runs of white space as one space.</summary>
    public static string Collapse(string text) => Spaces().Replace(text, " ");

    /// <summary>Asserts that no line is wider than the console.</summary>
    public void AssertFits()
    {
        foreach (var line in Lines)
            Assert.True(line.Length <= Width, $"a line of {line.Length} characters at {Width} columns:\n{line}\n--- all:\n{string.Join("\n", Lines)}");
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")]
    private static partial Regex Escape();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
