using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Descent.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Descent.Server;

/// <summary>
/// The web server of <c>descent serve</c> (ASP.NET Core minimal APIs): the pages and their scripts from the web root,
/// and JSON routes over the run store, the study store and the lab's experiments. Every request passes the token check
/// (when a token is set) and the error mapping: a bad request is 400 with a one-line message, a bug is 500.
/// </summary>
public sealed class DescentServer : IAsyncDisposable
{
    /// <summary>JSON as the CLI writes it: snake_case names; NaN and ∞ as the strings "NaN" and "Infinity".</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly WebApplication _app;
    private readonly Stores _stores;

    private DescentServer(WebApplication app, Stores stores, ServeOptions options)
    {
        _app = app;
        _stores = stores;
        Options = options;
    }

    public ServeOptions Options { get; }

    /// <summary>The address it listens on (with the port it got, when 0 was asked), without the token.</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The address to open in a browser: <see cref="Address"/> with <c>?token=</c> when a token is set.</summary>
    public string BrowserAddress => Options.Token is { } t ? $"{Address}?token={t}" : Address.ToString();

    /// <summary>Builds and starts the server; returns once it listens.</summary>
    public static async Task<DescentServer> StartAsync(ServeOptions options, CancellationToken cancel = default)
    {
        options.Validate();
        string webRoot = Path.GetFullPath(options.ResolvedWebRoot);
        if (!File.Exists(Path.Combine(webRoot, "index.html")))
            throw new InvalidOperationException($"The pages of descent serve are missing: no index.html in '{webRoot}' (build the CLI again with ./descent).");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = webRoot, WebRootPath = webRoot });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 64 * 1024;   // the lab's requests are a few numbers
        });
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':') ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = Json.PropertyNamingPolicy;
            o.SerializerOptions.NumberHandling = Json.NumberHandling;
            o.SerializerOptions.Encoder = Json.Encoder;
        });
        // A body that does not bind throws (and becomes a 400 with the reason) instead of an empty 400.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        var stores = new Stores(options.Database, options.StudyStorage);
        builder.Services.AddSingleton(stores);
        var app = builder.Build();

        app.Use(async (context, next) =>
        {
            var h = context.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";
            h.CacheControl = "no-store";
            await next(context);
        });
        app.Use(RequestErrors.Handle);
        if (options.Token is { } token) app.Use(new AccessToken(token).Check);
        // Only files inside the web root, never a dot file; anything else is 404 (PhysicalFileProvider refuses '..').
        var files = new PhysicalFileProvider(webRoot, Microsoft.Extensions.FileProviders.Physical.ExclusionFilters.Sensitive);
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ServeUnknownFileTypes = false });
        Pages.Map(app, files);
        RunsApi.Map(app.MapGroup("/api/runs"));
        StudiesApi.Map(app.MapGroup("/api/studies"));
        LabApi.Map(app.MapGroup("/api/lab"));
        app.MapFallback((HttpContext c) => Results.Json(new { error = $"no such page or route: {c.Request.Path}" }, statusCode: StatusCodes.Status404NotFound));

        await app.StartAsync(cancel);
        var server = new DescentServer(app, stores, options);
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(bound.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "[::1]"));
        server.Address = new UriBuilder(uri) { Path = "/" }.Uri;
        return server;
    }

    /// <summary>Runs until <paramref name="cancel"/> is signalled or the process is told to stop (Ctrl+C, SIGTERM).</summary>
    public async Task WaitAsync(CancellationToken cancel)
    {
        try { await _app.WaitForShutdownAsync(cancel); }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));   // live streams end with the server
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
        _stores.Dispose();
    }
}
