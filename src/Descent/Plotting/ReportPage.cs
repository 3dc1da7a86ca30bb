using System.Net;
using System.Text;
using System.Text.Json;

namespace Descent.Plotting;

/// <summary>A figure listed on the report page: file name (relative to the folder), section, title, caption.</summary>
public sealed record FigureEntry(string File, string Section, string Title, string Caption);

/// <summary>
/// The HTML page (<c>index.html</c>) that collects every figure written in an output folder and links them
/// all. The list is kept in <c>figures.json</c> beside it, so each lab command adds its figures to those of
/// the commands run before; both files are rewritten atomically after each change. A figure written again
/// under the same file name replaces its entry.
/// </summary>
public sealed class ReportPage
{
    /// <summary>Name of the page.</summary>
    public const string PageName = "index.html";

    /// <summary>Name of the list of figures.</summary>
    public const string ManifestName = "figures.json";

    private readonly List<FigureEntry> _entries;

    private ReportPage(string folder, List<FigureEntry> entries)
    {
        Folder = folder;
        _entries = entries;
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <summary>The figures listed.</summary>
    public IReadOnlyList<FigureEntry> Entries => _entries;

    /// <summary>Path of the HTML page.</summary>
    public string PagePath => Path.Combine(Folder, PageName);

    /// <summary>Opens the report of <paramref name="folder"/> (creating it), reading the figures listed before.</summary>
    public static ReportPage Open(string folder)
    {
        Directory.CreateDirectory(folder);
        string manifest = Path.Combine(folder, ManifestName);
        var entries = new List<FigureEntry>();
        if (File.Exists(manifest))
        {
            try
            {
                entries = JsonSerializer.Deserialize<List<FigureEntry>>(File.ReadAllText(manifest)) ?? [];
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"ReportPage: {manifest} is not a list of figures ({e.Message}); delete it to start a new report.");
            }
        }
        return new ReportPage(folder, entries);
    }

    /// <summary>Writes an SVG figure into the folder (atomically) and lists it; returns its full path.</summary>
    public string AddFigure(string fileName, string svg, string section, string title, string caption = "")
    {
        if (fileName.Contains('/') || fileName.Contains('\\') || !fileName.EndsWith(".svg", StringComparison.Ordinal))
            throw new ArgumentException($"ReportPage.AddFigure: expected a plain file name ending in .svg, got '{fileName}'.");
        string path = Path.Combine(Folder, fileName);
        FigureFile.WriteAtomic(path, svg);
        _entries.RemoveAll(e => e.File == fileName);
        _entries.Add(new FigureEntry(fileName, section, title, caption));
        return path;
    }

    /// <summary>Rewrites <c>figures.json</c> and <c>index.html</c> atomically.</summary>
    public void Save()
    {
        FigureFile.WriteAtomic(Path.Combine(Folder, ManifestName), JsonSerializer.Serialize(_entries, new JsonSerializerOptions { WriteIndented = true }));
        FigureFile.WriteAtomic(PagePath, Html());
    }

    /// <summary>The HTML of the page: a table of contents by section, then each figure with its title and caption.</summary>
    public string Html()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Descent lab report</title>\n")
          .Append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}figure{margin:1.5em 0}")
          .Append("img{max-width:100%;border:1px solid #ddd}figcaption{color:#444}h2{border-bottom:1px solid #ccc}</style></head><body>\n")
          .Append("<h1>Descent lab report</h1>\n<p>Figures written by <code>descent lab</code>; each is a standalone SVG file in this folder.</p>\n<ul>\n");
        var sections = _entries.GroupBy(e => e.Section).ToList();
        foreach (var s in sections)
        {
            sb.Append($"<li><a href=\"#{Anchor(s.Key)}\">{Enc(s.Key)}</a><ul>\n");
            foreach (var e in s) sb.Append($"<li><a href=\"{Enc(e.File)}\">{Enc(e.Title)}</a></li>\n");
            sb.Append("</ul></li>\n");
        }
        sb.Append("</ul>\n");
        foreach (var s in sections)
        {
            sb.Append($"<h2 id=\"{Anchor(s.Key)}\">{Enc(s.Key)}</h2>\n");
            foreach (var e in s)
                sb.Append($"<figure><a href=\"{Enc(e.File)}\"><img src=\"{Enc(e.File)}\" alt=\"{Enc(e.Title)}\"></a>")
                  .Append($"<figcaption><b>{Enc(e.Title)}</b>{(e.Caption.Length > 0 ? " — " + Enc(e.Caption) : "")}</figcaption></figure>\n");
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    private static string Anchor(string s) => "s-" + new string(s.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
