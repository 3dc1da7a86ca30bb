using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Descent.Server.Tests.Api;

/// <summary>
/// What the server refuses: files outside its web root (raw requests, so no client tidies the path first), malformed or
/// out-of-range requests (400 with a message, never 500), a missing or wrong token, and a non-loopback address without one.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SecurityTests(ServerFixture server)
{
    /// <summary>Sends <paramref name="target"/> as the request line's target, byte for byte; returns the status and body.</summary>
    private async Task<(int Status, string Body)> Raw(string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Address.Host, server.Address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {server.Address.Authority}\r\nConnection: close\r\n\r\n"));
        string text = await new StreamReader(stream).ReadToEndAsync();
        return (int.Parse(text.Split(' ')[1]), text);
    }

    /// <summary>A text file (a type the server would serve) beside the web root, i.e. just outside it.</summary>
    private static string Secret()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "outside-secret.txt");
        if (!File.Exists(path)) File.WriteAllText(path, "SECRET-MARKER");
        return path;
    }

    [Theory]
    [InlineData("/../outside-secret.txt")]
    [InlineData("/%2e%2e/outside-secret.txt")]
    [InlineData("/..%2foutside-secret.txt")]
    [InlineData("/lib/..%2f..%2foutside-secret.txt")]
    [InlineData("/lib/%2e%2e%5c%2e%2e%5coutside-secret.txt")]
    [InlineData("/lab/..%2f..%2foutside-secret.txt")]
    [InlineData("/{ABSOLUTE}")]
    [InlineData("/../../../../etc/passwd")]
    [InlineData("/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/lib/..%2f..%2f..%2fDescent.Server.dll")]
    [InlineData("/.gitignore")]
    public async Task NoRouteServesAFileOutsideTheWebRoot(string target)
    {
        target = target.Replace("{ABSOLUTE}", Secret().TrimStart('/'));   // "//work/…/outside-secret.txt"; the secret exists for every case
        var (status, body) = await Raw(target);
        Assert.True(status is 400 or 404, $"{target}: {status}");
        Assert.DoesNotContain("SECRET-MARKER", body);
        Assert.DoesNotContain("root:", body);
    }

    [Fact]
    public async Task TheWebRootsOwnFilesAreServed()
    {
        Assert.Equal(200, (await Raw("/app.css")).Status);
        Assert.Equal(200, (await Raw("/lib/uPlot.iife.min.js")).Status);
    }

    [Theory]
    [InlineData("/api/lab/descend", "{not json", "the request body is not the JSON expected")]
    [InlineData("/api/lab/descend", "{\"lr\": \"fast\"}", "the request body is not the JSON expected")]
    [InlineData("/api/lab/descend", "{}", "'lr' is required")]
    [InlineData("/api/lab/descend", "{\"lr\": 0.1, \"function\": \"nope\"}", "'function' must be one of quadratic, quartic, bowl, elongated, saddle, rosenbrock, got 'nope'.")]
    [InlineData("/api/lab/descend", "{\"lr\": 1e9}", "'lr' must be in [1E-06, 10], got 1000000000.")]
    [InlineData("/api/lab/descend", "{\"lr\": 0.1, \"steps\": 1000000}", "'steps' must be in [1, 5000]")]
    [InlineData("/api/lab/descend", "{\"lr\": 0.1, \"function\": \"bowl\", \"start\": [1]}", "'start' needs 2 coordinates for bowl, got 1.")]
    [InlineData("/api/lab/descend", "null", "the request needs a JSON body")]
    [InlineData("/api/lab/optimizers", "{\"lr\": 0.1, \"optimizer\": \"lbfgs\"}", "'optimizer' must be one of")]
    [InlineData("/api/lab/optimizers", "{\"lr\": 0.1, \"beta\": 1.5}", "'beta' must be in [0, 0.999]")]
    [InlineData("/api/lab/init", "{\"init\": \"he\", \"scale\": 3}", "scale must be 1")]
    [InlineData("/api/lab/init", "{\"depth\": 1000}", "'depth' must be in [1, 30]")]
    [InlineData("/api/lab/vanishing", "{\"kind\": \"dense\"}", "'kind' must be one of plain, residual, scaled")]
    [InlineData("/api/lab/schedules", "{\"schedules\": [\"warp-speed\"]}", "warp-speed")]
    public async Task AMalformedRequestGets400WithAMessage(string path, string body, string message)
    {
        var r = await server.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        string text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{path} {body}: {(int)r.StatusCode} {text}");
        Assert.Contains(message, text);
    }

    [Theory]
    [InlineData("/api/lab/batchnorm?depth=99", "'depth' must be in [1, 20], got 99.")]
    [InlineData("/api/lab/batchnorm?epochs=x", "'epochs' must be a number in [1, 60], got 'x'.")]
    [InlineData("/api/lab/batchnorm?init=he&scale=2", "scale must be 1")]
    public async Task AMalformedQueryGets400WithAMessage(string path, string message)
    {
        var r = await server.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(message, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WithATokenEveryRequestMustCarryIt()
    {
        const string token = "a-token-of-twenty-chars";
        await using var guarded = await DescentServer.StartAsync(new ServeOptions(Port: 0, Token: token, Database: server.Database));
        using var http = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = guarded.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/app.css")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/runs?token=a-token-of-twenty-charX")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/?token=" + token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/runs")).StatusCode);   // the cookie it set
        using var bearer = new HttpClient { BaseAddress = guarded.Address };
        bearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/api/runs")).StatusCode);
        Assert.EndsWith("?token=" + token, guarded.BrowserAddress);
    }

    [Theory]
    [InlineData("0.0.0.0", null, "needs a token")]
    [InlineData("0.0.0.0", "short", "at least 16 characters")]
    [InlineData("127.0.0.1", "has spaces in it, see", "only letters, digits")]
    public void ANonLoopbackAddressNeedsAToken(string host, string? token, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new ServeOptions(host, 0, token).Validate());
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void LoopbackNeedsNoToken()
    {
        new ServeOptions("127.0.0.1", 0).Validate();
        new ServeOptions("localhost", 0).Validate();
        new ServeOptions("::1", 0).Validate();
        Assert.True(ServeOptions.IsLoopback("127.0.0.1") && !ServeOptions.IsLoopback("0.0.0.0"));
    }
}
