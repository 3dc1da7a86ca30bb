using System.Net;

namespace Descent.Server;

/// <summary>
/// How <c>descent serve</c> listens and what it reads: the address, the access token, the run database (the one
/// <c>descent train</c> and <c>descent tune</c> write) and the folder of the pages.
/// </summary>
/// <param name="Host">The address to bind (default 127.0.0.1). Any other than a loopback address needs <paramref name="Token"/>.</param>
/// <param name="Port">The port; 0 picks a free one.</param>
/// <param name="Token">When set, every request must carry it (<c>?token=</c>, the cookie it sets, or <c>Authorization: Bearer</c>).</param>
/// <param name="Database">The run and study database (SQLite); it is only read, and not created when missing.</param>
/// <param name="WebRoot">The folder of the pages, scripts and styles (default: <c>wwwroot</c> beside the assembly).</param>
/// <param name="StudyStorage">Where the studies are read when not in <paramref name="Database"/>: a <c>postgresql://</c> URL (or another SQLite file).</param>
public sealed record ServeOptions(string Host = "127.0.0.1", int Port = 8080, string? Token = null, string Database = "runs/descent.db", string? WebRoot = null,
    string? StudyStorage = null)
{
    /// <summary>Whether <paramref name="host"/> can be reached only from this machine (127.0.0.0/8, ::1, localhost).</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);

    /// <summary>The folder of the static files.</summary>
    public string ResolvedWebRoot => WebRoot ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>Checks the options; the message of the exception says what was expected and what came.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"--port must be between 0 and 65535, got {Port}.");
        if (string.IsNullOrWhiteSpace(Host)) throw new ArgumentException("--host must name an address (e.g. 127.0.0.1 or 0.0.0.0), got an empty value.");
        if (!IsLoopback(Host) && !IPAddress.TryParse(Host, out _) && Uri.CheckHostName(Host) == UriHostNameType.Unknown)
            throw new ArgumentException($"--host must be an IP address or a host name, got '{Host}'.");
        if (!IsLoopback(Host) && string.IsNullOrEmpty(Token))
            throw new ArgumentException($"--host {Host} can be reached from other machines, so it needs a token (give --token, or let descent serve make one).");
        if (Token is { Length: > 0 and < 16 }) throw new ArgumentException($"--token must be at least 16 characters, got {Token.Length}.");
        if (Token is { } t && t.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
            throw new ArgumentException("--token may hold only letters, digits, '-' and '_' (it goes into the address).");
    }

    /// <summary>A new random token (URL-safe, 128 bits).</summary>
    public static string NewToken() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
