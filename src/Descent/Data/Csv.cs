using System.Globalization;

namespace Descent.Data;

/// <summary>
/// A classification dataset from a CSV file: a header line naming the columns, then one row per example of
/// numeric features (invariant culture, '.' decimal point) and one label column (by name or 0-based index;
/// default the last column). Labels may be any text; if every label is an integer they are ordered numerically,
/// otherwise alphabetically (ordinal), and the class index is the position in that order — unless the classes are
/// given (a trained model's), and then a label's index is its position among them. An empty label is an error, not a
/// class. Fields may be quoted with double quotes; blank lines are skipped.
/// </summary>
public static class Csv
{
    /// <summary>Loads <paramref name="path"/>; errors name the file, the line and the column.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelColumn">The label column's name or 0-based index (default: the last column).</param>
    /// <param name="name">The data set's name (default: the file name).</param>
    /// <param name="classNames">
    /// The classes the labels must come from, in class-index order (a trained model's, or the training file's): each
    /// label maps to its position here, and a label not among them is an error naming its line. Null: the classes are
    /// the file's own distinct labels (at least two).
    /// </param>
    public static Dataset Load(string path, string? labelColumn = null, string? name = null, IReadOnlyList<string>? classNames = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        string? headerLine = reader.ReadLine();
        if (headerLine is null) throw new InvalidDataException($"{path}: the file is empty; expected a header line naming the columns.");
        var header = SplitLine(headerLine, path, 1);
        int label = labelColumn is null ? header.Count - 1 : FindColumn(header, labelColumn, path);
        if (header.Count < 2) throw new InvalidDataException($"{path}:1: expected at least two columns (features and a label), got {header.Count}: '{headerLine}'.");
        if (header.All(h => double.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            throw new InvalidDataException($"{path}:1: the first line looks like data ('{headerLine}'); expected a header line naming the columns.");
        int d = header.Count - 1;
        var features = new List<float>();
        var labels = new List<string>();
        var labelLines = new List<int>();   // the file line of each label, for errors
        foreach (var (lineNo, fields) in DataRows(reader, path, header.Count))
        {
            for (int j = 0; j < fields.Count; j++)
            {
                if (j == label)
                {
                    string text = fields[j].Trim();
                    if (text.Length == 0)
                        throw new InvalidDataException($"{path}:{lineNo}: the label (column {j + 1}, '{header[j]}') is empty; every row needs its class.");
                    labels.Add(text);
                    labelLines.Add(lineNo);
                    continue;
                }
                if (!float.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new InvalidDataException($"{path}:{lineNo}: column {j + 1} ('{header[j]}') should be a finite number, got '{fields[j]}'.");
                features.Add(v);
            }
        }
        if (labels.Count == 0) throw new InvalidDataException($"{path}: no data rows after the header.");
        var classes = classNames?.ToList() ?? OrderClasses(labels.Distinct(StringComparer.Ordinal).ToList());
        if (classNames is null && classes.Count < 2)
            throw new InvalidDataException($"{path}: every row has the label '{classes[0]}' (column '{header[label]}'); a classifier needs at least two classes.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < classes.Count; i++) index.TryAdd(classes[i], i);
        var y = new int[labels.Count];
        for (int i = 0; i < y.Length; i++)
            y[i] = index.TryGetValue(labels[i], out int c) ? c
                : throw new InvalidDataException($"{path}:{labelLines[i]}: label '{labels[i]}' is not one of the {classes.Count} classes [{Preview(classes)}]; the labels must be the model's class names.");
        return new Dataset(name ?? Path.GetFileNameWithoutExtension(path), features.ToArray(), y, [d], classes);
    }

    private static string Preview(List<string> classes) =>
        classes.Count <= 12 ? string.Join(", ", classes) : string.Join(", ", classes.Take(12)) + ", …";

    private static List<string> OrderClasses(List<string> classes)
    {
        bool allInts = classes.All(c => long.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        return allInts
            ? classes.OrderBy(c => long.Parse(c, CultureInfo.InvariantCulture)).ToList()
            : classes.OrderBy(c => c, StringComparer.Ordinal).ToList();
    }

    private static int FindColumn(List<string> header, string column, string path)
    {
        int byName = header.FindIndex(h => h.Trim() == column);
        if (byName >= 0) return byName;
        if (int.TryParse(column, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= 0 && i < header.Count) return i;
        throw new ArgumentException($"{path}: label column '{column}' is neither a column name ({string.Join(", ", header)}) nor an index in 0..{header.Count - 1}.");
    }

    /// <summary>
    /// Loads <paramref name="path"/> as a regression set: the <paramref name="targetColumns"/> (names or 0-based indices) are
    /// the float targets [n, k], every other column a numeric feature. Errors name the file, the line and the column.
    /// </summary>
    public static Dataset LoadRegression(string path, IReadOnlyList<string> targetColumns, string? name = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        if (targetColumns.Count == 0) throw new ArgumentException($"{path}: no target column given.");
        using var reader = new StreamReader(path);
        string headerLine = reader.ReadLine() ?? throw new InvalidDataException($"{path}: the file is empty; expected a header line naming the columns.");
        var header = SplitLine(headerLine, path, 1);
        var targets = targetColumns.Select(c =>
        {
            int byName = header.FindIndex(h => h.Trim() == c.Trim());
            if (byName >= 0) return byName;
            return int.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= 0 && i < header.Count ? i
                : throw new ArgumentException($"{path}: target column '{c}' is neither a column name ({string.Join(", ", header)}) nor an index in 0..{header.Count - 1}.");
        }).ToArray();
        if (targets.Distinct().Count() != targets.Length) throw new ArgumentException($"{path}: a target column is named twice in '{string.Join(",", targetColumns)}'.");
        if (targets.Length >= header.Count) throw new InvalidDataException($"{path}:1: every column is a target; no feature column is left.");
        var features = new List<float>();
        var values = new List<float>();
        foreach (var (lineNo, fields) in DataRows(reader, path, header.Count))
        {
            for (int j = 0; j < fields.Count; j++)
            {
                if (!float.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new InvalidDataException($"{path}:{lineNo}: column {j + 1} ('{header[j]}') should be a finite number, got '{fields[j]}'.");
                if (!targets.Contains(j)) features.Add(v);
            }
            foreach (int j in targets) values.Add(float.Parse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        if (values.Count == 0) throw new InvalidDataException($"{path}: no data rows after the header.");
        int d = header.Count - targets.Length;
        return new Dataset(name ?? Path.GetFileNameWithoutExtension(path), features.ToArray(), values.ToArray(), [d], targets.Select(j => header[j].Trim()).ToArray());
    }

    /// <summary>Splits one CSV line at commas outside double quotes ("" inside quotes is a quote).</summary>
    /// <summary>The data lines after the header, as (file line number, fields): blank lines skipped, each line checked to
    /// have the header's <paramref name="columns"/> fields.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> DataRows(TextReader reader, string path, int columns)
    {
        int lineNo = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = SplitLine(line, path, lineNo);
            if (fields.Count != columns)
                throw new InvalidDataException($"{path}:{lineNo}: expected {columns} fields as in the header, got {fields.Count}: '{line}'.");
            yield return (lineNo, fields);
        }
    }

    internal static List<string> SplitLine(string line, string path, int lineNo)
    {
        var fields = new List<string>();
        var cur = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cur.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cur.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(cur.ToString()); cur.Clear(); }
            else cur.Append(c);
        }
        if (quoted) throw new InvalidDataException($"{path}:{lineNo}: a quoted field is not closed: '{line}'.");
        fields.Add(cur.ToString());
        return fields;
    }
}
