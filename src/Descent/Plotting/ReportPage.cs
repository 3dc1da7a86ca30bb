using System.Text;
using System.Text.Json;

namespace Descent.Plotting;

/// <summary>A figure listed on the report page: file name (relative to the folder), section id, title, caption, width.</summary>
internal sealed record FigureEntry(string File, string Section, string Title, string Caption, bool Wide = false);

/// <summary>
/// The HTML page (<c>index.html</c>) of an output folder, written as a course: a table of contents by chapter of the
/// notes; per section the formula, the lesson, the figures (pairs side by side, small multiples across the width), the
/// terminal table and the command that reproduces it. Everything lives in <c>report.json</c> beside it, so each lab
/// command adds its section to those of the commands run before; a section written again replaces all of its figures
/// (runs never mix). Both files are rewritten atomically. The page has no script and no external resource: it works
/// offline from the folder.
/// </summary>
internal sealed class ReportPage
{
    /// <summary>Name of the page.</summary>
    public const string PageName = "index.html";

    /// <summary>Name of the list of sections and figures.</summary>
    public const string ManifestName = "report.json";

    private sealed record Manifest(List<ReportSection> Sections, List<FigureEntry> Figures);

    private readonly List<FigureEntry> _entries;
    private readonly List<ReportSection> _sections;
    private readonly HashSet<string> _ours;   // the figure files this report wrote: the only ones it may replace

    private ReportPage(string folder, List<ReportSection> sections, List<FigureEntry> entries)
    {
        Folder = folder;
        _sections = sections;
        _entries = entries;
        _ours = entries.Select(e => e.File).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <summary>The figures listed.</summary>
    public IReadOnlyList<FigureEntry> Entries => _entries;

    /// <summary>The sections with their words.</summary>
    public IReadOnlyList<ReportSection> Sections => _sections;

    /// <summary>Path of the HTML page.</summary>
    public string PagePath => Path.Combine(Folder, PageName);

    /// <summary>Opens the report of <paramref name="folder"/> (creating it), reading the sections written before.</summary>
    public static ReportPage Open(string folder)
    {
        Directory.CreateDirectory(folder);
        string manifest = Path.Combine(folder, ManifestName);
        if (!File.Exists(manifest))
        {
            // No report here yet: a page of the same name is somebody else's, and is never replaced.
            if (File.Exists(Path.Combine(folder, PageName)))
                throw new InvalidDataException($"{Path.Combine(folder, PageName)} is not a Descent report (there is no {ManifestName} beside it), and it is kept; name another folder with --out.");
            return new ReportPage(folder, [], []);
        }
        try
        {
            var m = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifest));
            return new ReportPage(folder, m?.Sections ?? [], m?.Figures ?? []);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"ReportPage: {manifest} is not a Descent report ({e.Message}); delete it to start a new report.");
        }
    }

    /// <summary>Writes a section and its figures, replacing whatever that section held before.</summary>
    public IReadOnlyList<string> WriteSection(ReportSection section, IEnumerable<Figure> figures)
    {
        var list = figures.ToList();
        CheckWritable(list.Select(f => f.FileName));
        _sections.RemoveAll(s => s.Id == section.Id);
        _sections.Add(section);
        _entries.RemoveAll(e => e.Section == section.Id);
        return list.Select(f => AddFigure(f.FileName, f.Svg, section.Id, f.Title, f.Caption, f.Wide)).ToList();
    }

    /// <summary>
    /// Refuses, before anything is written, a figure name whose file exists and was not written by this report: writing
    /// figures one by one must not leave some written (and unlisted) when a later one is refused.
    /// </summary>
    public void CheckWritable(IEnumerable<string> fileNames)
    {
        foreach (var name in fileNames)
        {
            string path = Path.Combine(Folder, name);
            if (!_ours.Contains(name) && File.Exists(path))
                throw new InvalidDataException($"{path} was not written by this report, and it is kept; name another folder with --out.");
        }
    }

    /// <summary>
    /// Writes an SVG figure into the folder (atomically) and lists it under <paramref name="section"/>; returns its full path.
    /// A file of that name that the report did not write (it is not in <c>report.json</c>) is refused and kept.
    /// </summary>
    public string AddFigure(string fileName, string svg, string section, string title, string caption = "", bool wide = false)
    {
        if (fileName.Contains('/') || fileName.Contains('\\') || !fileName.EndsWith(".svg", StringComparison.Ordinal))
            throw new ArgumentException($"ReportPage.AddFigure: expected a plain file name ending in .svg, got '{fileName}'.");
        string path = Path.Combine(Folder, fileName);
        CheckWritable([fileName]);
        FigureFile.WriteAtomic(path, svg);
        _ours.Add(fileName);
        _entries.RemoveAll(e => e.File == fileName);
        _entries.Add(new FigureEntry(fileName, section, title, caption, wide));
        return path;
    }

    /// <summary>Rewrites <c>report.json</c> and <c>index.html</c> atomically.</summary>
    public void Save()
    {
        FigureFile.WriteAtomic(Path.Combine(Folder, ManifestName),
            JsonSerializer.Serialize(new Manifest(_sections, _entries), new JsonSerializerOptions { WriteIndented = true }));
        FigureFile.WriteAtomic(PagePath, Html());
    }

    private const string Style =
        "body{font:16px/1.5 'DejaVu Sans',Helvetica,Arial,sans-serif;color:#222;margin:0}" +
        "nav{position:fixed;top:0;left:0;bottom:0;width:250px;overflow:auto;background:#f6f6f4;border-right:1px solid #ddd;padding:16px;box-sizing:border-box;font-size:14px}" +
        "nav ol{padding-left:18px;margin:4px 0}nav li{margin:3px 0}nav a{color:#1f4e9c;text-decoration:none}nav .chapter{font-weight:bold;margin-top:10px}" +
        "main{margin-left:250px;padding:8px 32px 48px;max-width:1400px}" +
        "h1{font-size:28px}h2{font-size:22px;border-bottom:2px solid #ccc;margin-top:48px}h3{font-size:19px;margin-top:32px}" +
        ".formula{font:18px 'DejaVu Serif',serif;background:#f3f5fa;border-left:4px solid #1f4e9c;padding:8px 14px;margin:12px 0}" +
        ".lesson{font-size:16px;background:#fffbe6;border-left:4px solid #e0b000;padding:8px 14px}" +
        ".figs{display:grid;grid-template-columns:1fr 1fr;gap:20px;margin:16px 0}.figs figure{margin:0}.figs .wide{grid-column:1 / span 2}" +
        "img{width:100%;border:1px solid #ddd;background:#fff}figcaption{font-size:14px;color:#333;margin-top:4px}" +
        "pre{font:13px/1.35 'DejaVu Sans Mono',monospace;background:#f7f7f7;border:1px solid #e2e2e2;padding:10px;overflow:auto}" +
        "details summary{cursor:pointer;font-size:14px;color:#1f4e9c}" +
        "@media (max-width:1000px){nav{position:static;width:auto;border:0}main{margin-left:0}.figs{grid-template-columns:1fr}.figs .wide{grid-column:auto}}";

    /// <summary>The HTML of the page.</summary>
    public string Html()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
          .Append("<title>Descent lab: the notes' experiments</title>\n<style>").Append(Style).Append("</style></head><body>\n");
        var sections = _entries.Select(e => e.Section).Concat(_sections.Select(s => s.Id)).Distinct()
            .Select(id => _sections.FirstOrDefault(s => s.Id == id) ?? new ReportSection(id, "Other figures", id, "", "", "", ""))
            .OrderBy(s => s.Chapter, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        var chapters = sections.GroupBy(s => s.Chapter).ToList();
        sb.Append("<nav><b>Contents</b>\n");
        foreach (var c in chapters)
        {
            sb.Append($"<div class=\"chapter\"><a href=\"#{Anchor("c-" + c.Key)}\">{Enc(c.Key)}</a></div><ol>\n");
            foreach (var s in c) sb.Append($"<li><a href=\"#{Anchor(s.Id)}\">{Enc(s.Title)}</a></li>\n");
            sb.Append("</ol>\n");
        }
        sb.Append("</nav>\n<main>\n<h1>Descent lab: the notes' experiments</h1>\n")
          .Append("<p>Each section is one <code>descent lab</code> run: the formula, the lesson the notes draw, the figures (click one to open the SVG), ")
          .Append("the terminal table and the command that reproduces it. The page and its figures work offline from this folder.</p>\n");
        foreach (var c in chapters)
        {
            sb.Append($"<h2 id=\"{Anchor("c-" + c.Key)}\">{Enc(c.Key)}</h2>\n");
            foreach (var s in c)
            {
                sb.Append($"<section id=\"{Anchor(s.Id)}\"><h3>{Enc(s.Title)}</h3>\n");
                if (s.Formula.Length > 0) sb.Append($"<div class=\"formula\">{Enc(s.Formula)}</div>\n");
                if (s.Lesson.Length > 0) sb.Append($"<p class=\"lesson\"><b>Lesson.</b> {Enc(s.Lesson)}</p>\n");
                sb.Append("<div class=\"figs\">\n");
                foreach (var e in _entries.Where(e => e.Section == s.Id))
                    sb.Append($"<figure{(e.Wide ? " class=\"wide\"" : "")}><a href=\"{Enc(e.File)}\"><img src=\"{Enc(e.File)}\" alt=\"{Enc(e.Title)}\"></a>")
                      .Append($"<figcaption><b>{Enc(e.Title)}.</b> {Enc(e.Caption)}</figcaption></figure>\n");
                sb.Append("</div>\n");
                if (s.Table.Length > 0) sb.Append($"<details open><summary>Terminal table</summary><pre>{Enc(s.Table)}</pre></details>\n");
                if (s.Command.Length > 0) sb.Append($"<p>Reproduce with:</p><pre><code>{Enc(s.Command)}</code></pre>\n");
                sb.Append("</section>\n");
            }
        }
        sb.Append("</main></body></html>\n");
        return sb.ToString();
    }

    /// <summary>Escapes the five HTML-significant characters only (the page is UTF-8, so Unicode formulas stay readable in the source).</summary>
    private static string Enc(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");

    private static string Anchor(string s) => "s-" + new string(s.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
