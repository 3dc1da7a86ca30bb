using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Descent.Server;

/// <summary>A request the server cannot serve as asked (a bad parameter or body): 400 with this message.</summary>
public sealed class BadRequestException(string message) : Exception(message);

/// <summary>A thing the request names that is not there (a run, a study, a checkpoint): 404 with this message.</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>
/// Maps failures to answers: <see cref="BadRequestException"/>, a body that is not the JSON expected and the framework's
/// own bad-request errors → 400; <see cref="NotFoundException"/> → 404; the library's argument checks (which quote the bad
/// value) → 400; a client that went away → nothing; anything else is a bug → 500 with its type and message.
/// </summary>
internal static class RequestErrors
{
    public static async Task Handle(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client disconnected (e.g. closed the page during a live stream): nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var (status, message) = e switch
            {
                BadRequestException or ArgumentException or FormatException => (StatusCodes.Status400BadRequest, e.Message),
                BadHttpRequestException b => (StatusCodes.Status400BadRequest, b.InnerException is JsonException j ? $"the request body is not the JSON expected: {j.Message}" : b.Message),
                JsonException j => (StatusCodes.Status400BadRequest, $"the request body is not the JSON expected: {j.Message}"),
                NotFoundException => (StatusCodes.Status404NotFound, e.Message),
                _ => (StatusCodes.Status500InternalServerError, $"internal error (a bug; please report it): {e.GetType().Name}: {e.Message}"),
            };
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new { error = message });
        }
    }

    /// <summary>A required query parameter or route value as a number in [min, max]; else a 400 naming it.</summary>
    public static double Number(string? text, string name, double min, double max)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new BadRequestException($"'{name}' is required: a number in [{min}, {max}].");
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new BadRequestException($"'{name}' must be a number in [{min}, {max}], got '{Clip(text)}'.");
        if (v < min || v > max) throw new BadRequestException($"'{name}' must be in [{min}, {max}], got {v}.");
        return v;
    }

    /// <summary>A whole number in [min, max]; else a 400 naming it.</summary>
    public static int Integer(string? text, string name, int min, int max)
    {
        double v = Number(text, name, min, max);
        if (v != Math.Floor(v)) throw new BadRequestException($"'{name}' must be a whole number in [{min}, {max}], got {v}.");
        return (int)v;
    }

    /// <summary>One of the allowed words; else a 400 listing them.</summary>
    public static string OneOf(string? text, string name, IReadOnlyCollection<string> allowed)
    {
        if (text is null || !allowed.Contains(text))
            throw new BadRequestException($"'{name}' must be one of {string.Join(", ", allowed)}, got '{Clip(text ?? "")}'.");
        return text;
    }

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
