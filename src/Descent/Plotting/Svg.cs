using System.Globalization;
using System.Text;

namespace Descent.Plotting;

/// <summary>
/// A minimal SVG writer: elements appended to a string builder, numbers in invariant culture with
/// two decimals, text escaped. Every figure of the lab is built with it, so each file is a standalone
/// SVG 1.1 document (no scripts, no external fonts or styles).
/// </summary>
internal sealed class Svg
{
    private readonly StringBuilder _body = new();

    /// <summary>Creates a drawing of <paramref name="width"/>×<paramref name="height"/> pixels.</summary>
    public Svg(double width, double height)
    {
        if (!(width > 0) || !(height > 0))
            throw new ArgumentException($"Svg: width and height must be positive, got {width}×{height}.");
        Width = width;
        Height = height;
    }

    /// <summary>Width in pixels.</summary>
    public double Width { get; }

    /// <summary>Height in pixels.</summary>
    public double Height { get; }

    /// <summary>Formats a coordinate (two decimals, invariant culture).</summary>
    public static string F(double v) => double.IsFinite(v) ? Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture) : "0";

    /// <summary>Escapes text for XML content and attributes.</summary>
    public static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    /// <summary>Appends raw markup (already escaped).</summary>
    public Svg Raw(string markup)
    {
        _body.Append(markup).Append('\n');
        return this;
    }

    /// <summary>A straight line.</summary>
    public Svg Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null) =>
        Raw($"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" stroke=\"{stroke}\" stroke-width=\"{F(width)}\"{DashAttr(dash)}/>");

    /// <summary>A rectangle.</summary>
    public Svg Rect(double x, double y, double w, double h, string fill, string? stroke = null, double opacity = 1) =>
        Raw($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(Math.Max(0, w))}\" height=\"{F(Math.Max(0, h))}\" fill=\"{fill}\"" +
            (stroke is null ? "" : $" stroke=\"{stroke}\"") + (opacity < 1 ? $" fill-opacity=\"{F(opacity)}\"" : "") + "/>");

    /// <summary>A circle.</summary>
    public Svg Circle(double cx, double cy, double r, string fill, string? stroke = null) =>
        Raw($"<circle cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"{F(r)}\" fill=\"{fill}\"" + (stroke is null ? "" : $" stroke=\"{stroke}\"") + "/>");

    /// <summary>A polyline through the points; <paramref name="cssClass"/> tags it (tests find series by it).</summary>
    public Svg Polyline(IReadOnlyList<(double X, double Y)> points, string stroke, double width = 1.5, string? dash = null,
        string? cssClass = null, string? clipId = null)
    {
        if (points.Count == 0) return this;
        var sb = new StringBuilder("<polyline fill=\"none\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(F(width))
            .Append("\" stroke-linejoin=\"round\"").Append(DashAttr(dash));
        if (cssClass is not null) sb.Append(" class=\"").Append(Escape(cssClass)).Append('"');
        if (clipId is not null) sb.Append(" clip-path=\"url(#").Append(clipId).Append(")\"");
        sb.Append(" points=\"");
        for (int i = 0; i < points.Count; i++)
            sb.Append(i == 0 ? "" : " ").Append(F(points[i].X)).Append(',').Append(F(points[i].Y));
        sb.Append("\"/>");
        return Raw(sb.ToString());
    }

    /// <summary>Text; <paramref name="anchor"/> is start, middle or end; <paramref name="rotate"/> in degrees about the anchor point.</summary>
    public Svg Text(double x, double y, string text, double size = 12, string anchor = "start", string fill = "#222",
        double rotate = 0, string weight = "normal", string? cssClass = null) =>
        Raw($"<text x=\"{F(x)}\" y=\"{F(y)}\" font-size=\"{F(size)}\" text-anchor=\"{anchor}\" fill=\"{fill}\"" +
            (weight != "normal" ? $" font-weight=\"{weight}\"" : "") +
            (rotate != 0 ? $" transform=\"rotate({F(rotate)} {F(x)} {F(y)})\"" : "") +
            (cssClass is null ? "" : $" class=\"{Escape(cssClass)}\"") + $">{Escape(text)}</text>");

    /// <summary>Declares a rectangular clip path named <paramref name="id"/>.</summary>
    public Svg ClipRect(string id, double x, double y, double w, double h) =>
        Raw($"<defs><clipPath id=\"{id}\"><rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(h)}\"/></clipPath></defs>");

    /// <summary>Approximate width in pixels of <paramref name="text"/> at <paramref name="size"/> (sans-serif average).</summary>
    public static double TextWidth(string text, double size) => text.Length * size * 0.58;

    /// <summary>The whole document.</summary>
    public override string ToString() =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{F(Width)}\" height=\"{F(Height)}\" " +
        $"viewBox=\"0 0 {F(Width)} {F(Height)}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n" +
        $"<rect x=\"0\" y=\"0\" width=\"{F(Width)}\" height=\"{F(Height)}\" fill=\"white\"/>\n{_body}</svg>\n";

    private static string DashAttr(string? dash) => dash is null ? "" : $" stroke-dasharray=\"{dash}\"";
}
