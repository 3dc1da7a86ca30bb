using Spectre.Console;

namespace Descent.Cli.Rendering;

/// <summary>
/// A table that fits the console: each column is as wide as its widest cell, no cell is wrapped (a header or a
/// number never splits across lines), and when the columns do not all fit, the optional ones are left out, lowest
/// priority first, and named in a note under the table (<c>--json</c> always has everything).
/// </summary>
internal sealed class FittedTable
{
    /// <summary>A column: its header, whether it is right-aligned (numbers), and its priority (0: always shown; higher: left out first).</summary>
    public sealed record Column(string Header, bool Numeric = false, int Priority = 0);

    private readonly List<Column> _columns = [];
    private readonly List<string[]> _rows = [];

    /// <summary>The table's title, or null.</summary>
    public string? Title { get; init; }

    /// <summary>Adds a column (its header is plain text).</summary>
    public FittedTable Add(string header, bool numeric = false, int priority = 0)
    {
        _columns.Add(new Column(header, numeric, priority));
        return this;
    }

    /// <summary>Adds a row of markup cells, one per column.</summary>
    public void AddRow(params string[] cells)
    {
        if (cells.Length != _columns.Count) throw new ArgumentException($"table row has {cells.Length} cells for {_columns.Count} columns.");
        _rows.Add(cells);
    }

    /// <summary>Writes the table to <paramref name="console"/>, at its width; returns the headers left out.</summary>
    public IReadOnlyList<string> Write(IAnsiConsole console)
    {
        int width = console.Profile.Width;
        var widths = _columns.Select((c, j) => Math.Max(c.Header.Length, _rows.Select(r => Markup.Remove(r[j]).Length).DefaultIfEmpty(0).Max())).ToArray();
        var keep = new bool[_columns.Count];
        int used = 1;   // the left border
        bool full = false;
        foreach (int j in Enumerable.Range(0, _columns.Count).OrderBy(j => _columns[j].Priority).ThenBy(j => j))
        {
            int w = widths[j] + 3;   // a space either side and the border
            if (_columns[j].Priority > 0 && (full || used + w > width)) { full = true; continue; }   // and every column after it in priority
            keep[j] = true;
            used += w;
        }
        bool fits = used <= width;
        var table = new Table();
        if (Title is not null) table.Title(Markup.Escape(Title));
        for (int j = 0; j < _columns.Count; j++)
        {
            if (!keep[j]) continue;
            var column = new TableColumn(Markup.Escape(_columns[j].Header)) { NoWrap = fits };
            table.AddColumn(_columns[j].Numeric ? column.RightAligned() : column);
        }
        foreach (var r in _rows) table.AddRow(r.Where((_, j) => keep[j]).ToArray());
        console.Write(table);
        var dropped = _columns.Where((_, j) => !keep[j]).Select(c => c.Header).ToList();
        if (dropped.Count > 0)
            console.MarkupLine($"[grey]({Markup.Escape(string.Join(", ", dropped))} left out at {width} columns; --json has every column)[/]");
        return dropped;
    }
}
