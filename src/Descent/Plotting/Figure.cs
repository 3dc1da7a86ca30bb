namespace Descent.Plotting;

/// <summary>A finished figure: the SVG document, the file name it should get, a title and a caption for the report page.</summary>
internal sealed record Figure(string FileName, string Title, string Caption, string Svg)
{
    /// <summary>Whether the report shows it across the whole width (small multiples) instead of beside its pair.</summary>
    public bool Wide { get; init; }
}
