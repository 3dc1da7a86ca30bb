using System.CommandLine;

namespace Descent.Cli.Commands;

internal static partial class LabCommand
{
    /// <summary>The experiments beyond <c>descend</c>.</summary>
    private static IEnumerable<Command> More()
    {
        yield break;
    }
}
