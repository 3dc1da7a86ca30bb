using System.Text.RegularExpressions;
using Npgsql;

namespace Descent.Storage;

/// <summary>
/// A PostgreSQL address in libpq's URL form, <c>postgresql://[user[:password]@][host[:port][,host2…]][/dbname][?param=value&amp;…]</c>,
/// turned into an Npgsql connection string. Parameters are libpq's names (<c>host</c>, <c>port</c>, <c>user</c>,
/// <c>password</c>, <c>dbname</c>, <c>sslmode</c>, <c>connect_timeout</c>, <c>application_name</c>, <c>options</c>,
/// <c>sslrootcert</c>, <c>sslcert</c>, <c>sslkey</c>, <c>target_session_attrs</c>) or Npgsql connection-string keywords;
/// anything else is an error. A host starting with <c>/</c> (e.g. <c>?host=/run/postgresql</c>) is a Unix-socket folder.
/// </summary>
public sealed partial class PostgresUrl
{
    private static readonly Dictionary<string, string> LibpqNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "Host", ["port"] = "Port", ["user"] = "Username", ["password"] = "Password", ["dbname"] = "Database",
        ["sslmode"] = "SSL Mode", ["connect_timeout"] = "Timeout", ["application_name"] = "Application Name", ["options"] = "Options",
        ["sslrootcert"] = "Root Certificate", ["sslcert"] = "SSL Certificate", ["sslkey"] = "SSL Key",
        ["target_session_attrs"] = "Target Session Attributes",
    };

    private readonly string? _password;

    private PostgresUrl(string text, NpgsqlConnectionStringBuilder builder)
    {
        Builder = builder;
        _password = string.IsNullOrEmpty(builder.Password) ? null : builder.Password;
        Redacted = Scrub(PasswordInAuthority().Replace(PasswordInQuery().Replace(text, "$1***"), "$1:***@"));
    }

    /// <summary>Whether <paramref name="text"/> names a PostgreSQL database (<c>postgresql://</c> or <c>postgres://</c>).</summary>
    public static bool IsPostgres(string text) =>
        text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Npgsql settings.</summary>
    internal NpgsqlConnectionStringBuilder Builder { get; }

    /// <summary>The URL with any password replaced by <c>***</c>: the only form that is ever printed.</summary>
    public string Redacted { get; }

    /// <inheritdoc />
    public override string ToString() => Redacted;

    /// <summary>Parses <paramref name="text"/>; an <see cref="ArgumentException"/> (whose message never holds the password) says what is wrong.</summary>
    public static PostgresUrl Parse(string text)
    {
        var m = UrlShape().Match(text);
        if (!m.Success) throw new ArgumentException($"--storage: expected postgresql://user@host/db, got '{RedactRaw(text)}'.");
        var b = new NpgsqlConnectionStringBuilder();
        string authority = m.Groups["authority"].Value;
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = authority[..at];
            int colon = userInfo.IndexOf(':');
            b.Username = Decode(colon >= 0 ? userInfo[..colon] : userInfo);
            if (colon >= 0) b.Password = Decode(userInfo[(colon + 1)..]);
            authority = authority[(at + 1)..];
        }
        if (authority.Length > 0)
        {
            // One host:port is split here; several (h1:5432,h2:5433) go to Npgsql as they are.
            var hostPort = SingleHostPort().Match(authority);
            if (hostPort.Success && hostPort.Groups["port"].Success)
            {
                b.Host = Decode(hostPort.Groups["host"].Value).Trim('[', ']');
                b.Port = int.TryParse(hostPort.Groups["port"].Value, out int port) && port is > 0 and < 65536 ? port
                    : throw new ArgumentException($"--storage: the port must be 1–65535, got '{hostPort.Groups["port"].Value}'.");
            }
            else b.Host = Decode(authority);
        }
        if (m.Groups["db"].Value.Length > 0) b.Database = Decode(m.Groups["db"].Value);
        foreach (var pair in m.Groups["query"].Value.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string key = Decode(eq >= 0 ? pair[..eq] : pair), value = eq >= 0 ? Decode(pair[(eq + 1)..]) : "";
            string keyword = LibpqNames.TryGetValue(key, out var k) ? k : key;
            if (keyword == "SSL Mode") value = value.Replace("-", "", StringComparison.Ordinal);   // verify-full → VerifyFull
            try { b[keyword] = value; }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                string shown = keyword == "Password" ? "***" : value;
                throw new ArgumentException($"--storage: parameter '{key}' = '{shown}' is not accepted (expected a libpq parameter such as sslmode or connect_timeout, or an Npgsql connection-string keyword).");
            }
        }
        if (string.IsNullOrEmpty(b.Host)) b.Host = "localhost";
        return new PostgresUrl(text, b);
    }

    /// <summary><paramref name="text"/> with the password (as written and as sent) replaced by <c>***</c>.</summary>
    public string Scrub(string text)
    {
        if (_password is null) return text;
        text = text.Replace(_password, "***", StringComparison.Ordinal);
        string encoded = Uri.EscapeDataString(_password);
        return encoded == _password ? text : text.Replace(encoded, "***", StringComparison.Ordinal);
    }

    private static string RedactRaw(string text) => PasswordInAuthority().Replace(PasswordInQuery().Replace(text, "$1***"), "$1:***@");

    private static string Decode(string s)
    {
        try { return Uri.UnescapeDataString(s); }
        catch (UriFormatException) { throw new ArgumentException("--storage: a %-escape in the URL is not valid."); }
    }

    [GeneratedRegex(@"^postgres(?:ql)?://(?<authority>[^/?]*)(?:/(?<db>[^?]*))?(?:\?(?<query>.*))?$", RegexOptions.IgnoreCase)]
    private static partial Regex UrlShape();

    [GeneratedRegex(@"^(?<host>\[[^\]]+\]|[^:,\[\]]+)(?::(?<port>[^,]*))?$")]
    private static partial Regex SingleHostPort();

    [GeneratedRegex(@"^(postgres(?:ql)?://[^:/?@]*):[^/?]*@", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInAuthority();

    [GeneratedRegex(@"([?&]password=)[^&]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInQuery();
}
