using System.Xml.Linq;

namespace Descent.Tests.Plotting;

/// <summary>Checks shared by the plotting and lab tests: an SVG parses as XML and holds the expected series.</summary>
public static class SvgAssert
{
    private static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    /// <summary>Parses the document (throws on malformed XML) and checks the root is an svg element with a size.</summary>
    public static XDocument WellFormed(string svg)
    {
        var doc = XDocument.Parse(svg);
        Assert.Equal(Ns + "svg", doc.Root!.Name);
        Assert.NotNull(doc.Root.Attribute("width"));
        Assert.NotNull(doc.Root.Attribute("viewBox"));
        return doc;
    }

    /// <summary>The data-name of every element of the given class (series, path, panel).</summary>
    public static List<string> Names(XDocument doc, string cssClass) =>
        doc.Descendants().Where(e => (string?)e.Attribute("class") == cssClass).Select(e => (string?)e.Attribute("data-name") ?? "").ToList();

    /// <summary>All text content (titles, labels, legend).</summary>
    public static string Text(XDocument doc) => string.Join("\n", doc.Descendants(Ns + "text").Select(t => t.Value));
}
