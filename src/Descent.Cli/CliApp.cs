using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Descent.Cli;

/// <summary>
/// Conventions every command follows: <c>--json</c> prints one JSON document on stdout and nothing else;
/// <c>--seed</c> fixes every random number; exit code 0 on success, 1 on an expected fault (one line on stderr, or
/// <c>{"error": …}</c> on stdout under <c>--json</c>), 2 on a bug (with its stack trace).
/// </summary>
internal static class CliApp
{
    /// <summary><c>--json</c>: one JSON document on stdout, nothing else.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON document on stdout and nothing else." };

    /// <summary><c>--seed</c>: the seed of every random number the command draws.</summary>
    public static Option<ulong> SeedOption() => new("--seed") { Description = "Seed for every random number (weights, data order, dropout).", DefaultValueFactory = _ => 0UL };

    /// <summary>Whether the running command was given <c>--json</c>: its errors are then a JSON object on stdout.</summary>
    internal static bool JsonErrors { get; private set; }

    /// <summary>The <c>--db</c> of the running command, named in database faults.</summary>
    private static string? s_database;

    /// <summary>
    /// Parses and runs. A command line that does not parse gives one line naming the option, the value and what it
    /// expects (exit 1); faults map as <see cref="Guarded"/> says.
    /// </summary>
    public static int Invoke(Command root, string[] args)
    {
        JsonErrors = args.Any(a => a is "--json" or "--json=true" or "--json:true");
        s_database = null;
        return Guarded(() =>
        {
            var parse = root.Parse(args.Length == 0 ? ["--help"] : args);   // `descent` alone lists the commands
            if (parse.Errors.Count > 0) throw new UserException(Faults.DescribeParseErrors(parse));
            s_database = parse.CommandResult.Command.Options.Any(o => o.Name == "--db") ? parse.GetValue<string>("--db") : null;
            return parse.Invoke();
        });
    }

    /// <summary>Runs an action and maps errors as <see cref="Invoke"/> does (for actions that catch inside System.CommandLine).</summary>
    public static void SetAction(Command command, Func<ParseResult, int> action) =>
        command.SetAction(parse => Guarded(() => action(parse)));

    /// <summary>
    /// Runs <paramref name="run"/>. An expected fault (<see cref="Faults.Describe"/>) prints one line on stderr — or, under
    /// <c>--json</c>, <c>{"error": "…"}</c> on stdout and nothing else — and gives 1; a bug prints its stack trace and gives 2.
    /// </summary>
    private static int Guarded(Func<int> run)
    {
        try
        {
            return run();
        }
        catch (Exception e)
        {
            string? line = Faults.Describe(e, s_database);
            if (line is not null)
            {
                if (JsonErrors) WriteJson(new { error = line });
                else System.Console.Error.WriteLine($"descent: {line}");
                return 1;
            }
            if (JsonErrors) WriteJson(new { error = $"internal error: {e.GetType().Name}: {e.Message}", bug = true });
            System.Console.Error.WriteLine($"descent: internal error (a bug; please report it with this trace): {e}");
            return 2;
        }
    }

    /// <summary>
    /// A console on the current <see cref="System.Console.Out"/> (so in-process callers can capture it): colours and the live
    /// display only in a terminal, as wide as the terminal — or as <c>$COLUMNS</c> says (80 when piped).
    /// </summary>
    public static IAnsiConsole Console()
    {
        bool piped = Piped;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Out),
            Ansi = piped ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = piped ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = piped ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int width) && width >= 20) console.Profile.Width = width;
        return console;
    }

    /// <summary>Whether stdout is not a terminal: redirected, or a rank's under mpirun (which forwards it to wherever mpirun's goes).</summary>
    public static bool Piped => System.Console.IsOutputRedirected || Descent.Distributed.Mpi.UnderMpirun;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="value"/> as the one JSON document of a <c>--json</c> run.</summary>
    public static void WriteJson(object value) => System.Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>Serializes with the CLI's JSON conventions (snake_case names).</summary>
    public static string ToJson(object value) => JsonSerializer.Serialize(value, JsonOptions);
}

/// <summary>An error the user can fix (a bad option value, a missing file): exit code 1 and one line.</summary>
internal sealed class UserException(string message) : Exception(message);
