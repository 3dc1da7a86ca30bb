using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Data.Sqlite;

namespace Descent.Cli;

/// <summary>
/// Turns an expected fault into the one line a person can act on: what went wrong, where, and what to do.
/// Expected faults are bad input (options, files), and the environment (database, disk, permissions); anything
/// else is a bug, for which <see cref="Describe"/> returns null and the caller prints the stack trace.
/// </summary>
internal static class Faults
{
    /// <summary>The one line for an expected fault, or null when <paramref name="e"/> is a bug.</summary>
    /// <param name="e">The exception.</param>
    /// <param name="database">The run database the command used (named in database faults), if known.</param>
    public static string? Describe(Exception e, string? database = null) => OneLine(DescribeAny(e, database));

    /// <summary>Folds a message that spans lines (a quoted schema, a nested message) into one line.</summary>
    private static string? OneLine(string? text) => text is null || !text.AsSpan().ContainsAny('\r', '\n') ? text
        : string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string? DescribeAny(Exception e, string? database) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => DescribeAny(a.InnerExceptions[0], database),
        SqliteException s => DescribeDatabase(s, database),
        Descent.Storage.StudyStorageException => e.Message,
        InvalidOperationException { InnerException: Descent.Storage.StudyStorageException } => e.Message,
        InvalidOperationException or InvalidCastException or OverflowException when FromSqlite(e) =>
            $"{(database is null ? "the run database" : $"the run database '{database}'")} holds a damaged record ({e.Message.Split('.')[0]}); restore it from a copy or pass --db with a new file name.",
        UserException or ArgumentException or FormatException or InvalidDataException or ShapeException => e.Message,
        FileNotFoundException or DirectoryNotFoundException => e.Message,
        System.Text.Json.JsonException j => $"a saved file or record does not hold the JSON expected{(j.Path is null ? "" : $" (at {j.Path})")}; it was changed or damaged: restore it or start afresh.",
        UnauthorizedAccessException => $"{e.Message.TrimEnd('.')}: permission denied; check the folder's permissions or choose another path.",
        IOException io when IsDiskFull(io) => $"the disk is full ({io.Message.TrimEnd('.')}); free some space or write elsewhere (--out, --db).",
        IOException io => $"{io.Message.TrimEnd('.')}; check the path and try again.",
        _ => null,
    };

    /// <summary>Whether SQLite's reader threw <paramref name="e"/>: a value of the wrong kind (NULL, text) in a damaged database.</summary>
    private static bool FromSqlite(Exception e) =>
        e.TargetSite?.DeclaringType?.Assembly == typeof(SqliteException).Assembly
        || (e.StackTrace ?? "").Contains("Microsoft.Data.Sqlite.SqliteDataReader", StringComparison.Ordinal);

    /// <summary>Whether an I/O error is ENOSPC (Linux errno 28) or ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    public static bool IsDiskFull(IOException e) =>
        (e.HResult & 0xFFFF) is 28 or 0x70 or 0x27 || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase);

    private static string DescribeDatabase(SqliteException e, string? database)
    {
        string where = database is null ? "the run database" : $"the run database '{database}'";
        // SQLite's message may quote a schema over several lines: the error stays one line.
        string message = string.Join(" ", e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return e.SqliteErrorCode switch
        {
            26 => $"{where} is not a SQLite database; pass --db with a Descent database or a new file name.",
            11 => $"{where} is damaged ({message}); restore it from a copy or pass --db with a new file name.",
            13 => $"the disk is full: {where} cannot grow; free some space or pass --db elsewhere.",
            8 => $"{where} is read-only; check its permissions or pass --db elsewhere.",
            14 => $"{where} cannot be opened; check that its folder exists and is writable, or pass --db elsewhere.",
            5 or 6 => $"{where} is locked by another process; wait for it or pass --db elsewhere.",
            _ => $"{where}: {message.TrimEnd('.')}; check --db, or pass a new file name.",
        };
    }

    /// <summary>
    /// The one line for a command line that did not parse: the option, the value and what it expects
    /// (never a .NET type name), and where to find the options.
    /// </summary>
    public static string DescribeParseErrors(ParseResult parse)
    {
        // The most telling error first: a bad option value, then a word that is not a command or option.
        var first = parse.Errors.OrderBy(e => e.SymbolResult is OptionResult or ArgumentResult { Parent: OptionResult } ? 0
            : parse.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)) ? 1 : 2).First();
        string help = $"see '{CommandPath(parse.CommandResult.Command, parse)} --help'";
        string more = parse.Errors.Count > 1 ? $" ({parse.Errors.Count - 1} more error{(parse.Errors.Count > 2 ? "s" : "")})" : "";
        var option = first.SymbolResult switch
        {
            OptionResult o => o,
            ArgumentResult { Parent: OptionResult o } => o,
            _ => null,
        };
        if (option is not null && option.Tokens.Count > 0 && Expected(option.Option.ValueType) is { } expected)
        {
            string value = string.Join(" ", option.Tokens.Select(t => t.Value));
            return $"{option.Option.Name}: expected {expected}, got '{value}'{more}; {help}.";
        }
        return $"{first.Message.TrimEnd('.')}{more}; {help}.";
    }

    /// <summary>What a value of <paramref name="type"/> looks like, in words; null for text.</summary>
    internal static string? Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(double) || type == typeof(float)) return "a number (e.g. 0.001 or 1e-3)";
        if (type == typeof(int) || type == typeof(long)) return "a whole number (e.g. 10)";
        if (type == typeof(ulong) || type == typeof(uint)) return "a whole number ≥ 0 (e.g. 42)";
        if (type == typeof(bool)) return "true or false";
        return null;
    }

    private static string CommandPath(Command command, ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
            if (r is CommandResult c) names.Insert(0, c.Command.Name);
        return names.Count == 0 ? command.Name : string.Join(" ", names);
    }
}
