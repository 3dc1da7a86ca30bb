namespace Descent.Data;

/// <summary>What the target column(s) of a CSV file hold.</summary>
public enum CsvTask
{
    /// <summary>Class labels (any text): each distinct label becomes a class index.</summary>
    Classification,
    /// <summary>Float targets: the target columns become a row of values to predict.</summary>
    Regression,
}

/// <summary>
/// How <see cref="Csv.Load(string, CsvOptions)"/> reads a file: which lines to skip, whether a header names the columns,
/// the separator, which columns are the target(s) and what they hold. The defaults read the common case, a header line then
/// comma-separated rows with the class label in the last column.
/// </summary>
/// <example>
/// scikit-learn's <c>iris.csv</c> starts with a line of counts and class names, not column names:
/// <code>Csv.Load(path, new CsvOptions { SkipLines = 1, Header = false })</code>
/// </example>
public sealed record CsvOptions
{
    /// <summary>Lines to drop at the top of the file, before the header (if any) — e.g. 1 for scikit-learn's bundled CSVs.</summary>
    public int SkipLines { get; init; }

    /// <summary>True (default): the first line after the skipped ones names the columns. False: every line is data and the
    /// columns are named by their 0-based index ("0", "1", …).</summary>
    public bool Header { get; init; } = true;

    /// <summary>The field separator (default ','); <c>' '</c> splits at runs of spaces and tabs, as NumPy's <c>loadtxt</c> does.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>The target column(s), by name or 0-based index, comma-separated for several regression targets
    /// (default: the last column). Ignored with <see cref="TargetPath"/>.</summary>
    public string? Target { get; init; }

    /// <summary>Class labels (default) or float regression targets.</summary>
    public CsvTask Task { get; init; } = CsvTask.Classification;

    /// <summary>
    /// A second file holding the targets, one row per row of this file, read with the same options (scikit-learn's diabetes
    /// set keeps its targets apart); every column of the main file is then a feature. Null: the targets are columns of the file.
    /// </summary>
    public string? TargetPath { get; init; }

    /// <summary>For classification: the classes the labels must come from, in class-index order (a trained model's). Null:
    /// the file's own distinct labels, ordered numerically when all are integers, else ordinally.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The data set's name (default: the file name without extension).</summary>
    public string? Name { get; init; }
}
