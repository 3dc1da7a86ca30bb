using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Descent.Server;

/// <summary>
/// Checks the access token on every request when one is set: <c>?token=T</c> (which also sets an HTTP-only cookie, so
/// the pages' own requests carry it), the cookie, or <c>Authorization: Bearer T</c>. Anything else is 401 with a message.
/// The comparison takes the same time whatever the guess.
/// </summary>
internal sealed class AccessToken(string token)
{
    public const string Cookie = "descent_token";
    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    public async Task Check(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        string? query = request.Query["token"];
        string? given = query ?? request.Cookies[Cookie];
        if (given is null && request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal))
            given = auth["Bearer ".Length..];
        if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _token))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new
            {
                error = given is null
                    ? "this server needs its access token: open the address descent serve printed (it ends in ?token=…), or send Authorization: Bearer <token>."
                    : "wrong access token: use the one descent serve printed.",
            });
            return;
        }
        if (query is not null)
            context.Response.Cookies.Append(Cookie, query, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        await next(context);
    }
}
