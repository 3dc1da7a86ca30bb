using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Descent.Cli;

/// <summary>
/// Conventions every command follows: <c>--json</c> prints one JSON document on stdout and nothing else;
/// <c>--seed</c> fixes every random number; exit code 0 on success, 1 on a user error (one line on stderr),
/// 2 on an internal error.
/// </summary>
internal static class CliApp
{
    /// <summary><c>--json</c>: one JSON document on stdout, nothing else.</summary>
    public static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON document on stdout and nothing else." };

    /// <summary><c>--seed</c>: the seed of every random number the command draws.</summary>
    public static Option<ulong> SeedOption() => new("--seed") { Description = "Seed for every random number (weights, data order, dropout).", DefaultValueFactory = _ => 0UL };

    /// <summary>Parses and runs, mapping exceptions to exit codes 1 (user error) and 2 (internal error).</summary>
    public static int Invoke(Command root, string[] args) => Guarded(() => root.Parse(args).Invoke());

    /// <summary>Errors the person can fix: bad values, shapes, files.</summary>
    public static bool IsUserError(Exception e) => e is UserException or ArgumentException or FormatException or FileNotFoundException
        or DirectoryNotFoundException or InvalidDataException or ShapeException;

    /// <summary>Runs an action and maps errors as <see cref="Invoke"/> does (for actions that catch inside System.CommandLine).</summary>
    public static void SetAction(Command command, Func<ParseResult, int> action) =>
        command.SetAction(parse => Guarded(() => action(parse)));

    /// <summary>Runs <paramref name="run"/>: a user error prints one line and gives 1, any other exception gives 2.</summary>
    private static int Guarded(Func<int> run)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"descent: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"descent: internal error: {e}");
            return 2;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="value"/> as the one JSON document of a <c>--json</c> run.</summary>
    public static void WriteJson(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>Serializes with the CLI's JSON conventions (snake_case names).</summary>
    public static string ToJson(object value) => JsonSerializer.Serialize(value, JsonOptions);
}

/// <summary>An error the user can fix (a bad option value, a missing file): exit code 1 and one line.</summary>
internal sealed class UserException(string message) : Exception(message);
