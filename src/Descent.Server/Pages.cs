using Descent.Lab;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.FileProviders;

namespace Descent.Server;

/// <summary>
/// The pages: <c>/</c> (runs, studies and the lab's chapters), <c>/runs/ID</c>, <c>/compare?ids=1,2</c>,
/// <c>/studies/NAME</c> and <c>/lab/CHAPTER</c>. Each is a static HTML file of the web root; its script reads the rest
/// from the JSON routes.
/// </summary>
internal static class Pages
{
    public static void Map(IEndpointRouteBuilder app, IFileProvider files)
    {
        app.MapGet("/", () => Page(files, "index.html"));
        app.MapGet("/runs/{id:long}", (long id) => Page(files, "run.html"));
        app.MapGet("/compare", () => Page(files, "compare.html"));
        app.MapGet("/studies/{name}", (string name) => Page(files, "study.html"));
        app.MapGet("/lab/{chapter}", (string chapter) =>
            Lesson.Chapters.Any(l => l.Id == chapter)
                ? Page(files, "lab.html")
                : Results.Json(new { error = $"no lab chapter '{chapter}'; the chapters are {string.Join(", ", Lesson.Chapters.Select(l => l.Id))}." }, statusCode: 404));
    }

    private static IResult Page(IFileProvider files, string name)
    {
        var file = files.GetFileInfo(name);
        return file.Exists && file.PhysicalPath is { } path
            ? Results.File(path, "text/html; charset=utf-8")
            : Results.Json(new { error = $"the page {name} is missing from the web root" }, statusCode: 500);
    }
}
