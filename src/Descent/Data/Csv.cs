using System.Globalization;
using System.IO.Compression;

namespace Descent.Data;

/// <summary>
/// A dataset from a CSV file: numeric features (invariant culture, '.' decimal point) and one or more target columns,
/// read as class labels or as float regression targets (<see cref="CsvOptions"/>). Class labels may be any text; if every
/// label is an integer they are ordered numerically, otherwise alphabetically (ordinal), and the class index is the position
/// in that order — unless the classes are given (a trained model's), and then a label's index is its position among them.
/// An empty label is an error, not a class. Fields may be quoted with double quotes; blank lines are skipped; a file whose
/// name ends in <c>.gz</c> is decompressed as it is read. Errors name the file, the line and the column.
/// </summary>
public static class Csv
{
    /// <summary>Loads <paramref name="path"/> as <paramref name="options"/> say (null: a header line, comma-separated, the class label last).</summary>
    public static Dataset Load(string path, CsvOptions? options)
    {
        var o = options ?? new CsvOptions();
        if (o.SkipLines < 0) throw new ArgumentException($"{path}: lines to skip must be ≥ 0, got {o.SkipLines}.");
        string name = o.Name ?? DefaultName(path);
        var table = Read(path, o);
        if (o.TargetPath is not null) return WithTargetFile(table, o, name);
        if (table.Header.Count < 2) throw new InvalidDataException($"{path}:{table.FirstLine}: expected at least two columns (features and a target), got {table.Header.Count}.");
        int[] targets = o.Target is null ? [table.Header.Count - 1]
            : o.Task == CsvTask.Regression ? o.Target.Split(',').Select(c => FindColumn(table, c, "target", path)).ToArray()
            : [FindColumn(table, o.Target, "label", path)];
        if (targets.Distinct().Count() != targets.Length) throw new ArgumentException($"{path}: a target column is named twice in '{o.Target}'.");
        if (targets.Length >= table.Header.Count) throw new InvalidDataException($"{path}:{table.FirstLine}: every column is a target; no feature column is left.");
        table.CheckHeader();
        var features = new List<float>();
        foreach (var (line, fields) in table.Rows)
            for (int j = 0; j < fields.Count; j++)
                if (Array.IndexOf(targets, j) < 0) features.Add(Number(table, line, j, fields[j]));
        int d = table.Header.Count - targets.Length;
        if (o.Task == CsvTask.Regression)
        {
            var values = new List<float>();
            foreach (var (line, fields) in table.Rows)
                foreach (int j in targets) values.Add(Number(table, line, j, fields[j]));
            return new Dataset(name, features.ToArray(), values.ToArray(), [d], targets.Select(j => table.Header[j].Trim()).ToArray());
        }
        var labels = table.Rows.Select(r => (r.Line, Text: r.Fields[targets[0]].Trim())).ToList();
        return Classify(table, features.ToArray(), d, labels, targets[0], o.ClassNames, name);
    }

    /// <summary>Loads a classification set whose first line names the columns; the label column by name or 0-based index
    /// (default: the last); <paramref name="classNames"/>, when given, fixes the class order (see <see cref="CsvOptions.ClassNames"/>).</summary>
    public static Dataset Load(string path, string? labelColumn = null, string? name = null, IReadOnlyList<string>? classNames = null) =>
        Load(path, new CsvOptions { Target = labelColumn, Name = name, ClassNames = classNames });

    /// <summary>
    /// Loads a regression set whose first line names the columns: the <paramref name="targetColumns"/> (names or 0-based indices)
    /// are the float targets [n, k], every other column a numeric feature.
    /// </summary>
    public static Dataset LoadRegression(string path, IReadOnlyList<string> targetColumns, string? name = null)
    {
        if (targetColumns.Count == 0) throw new ArgumentException($"{path}: no target column given.");
        return Load(path, new CsvOptions { Target = string.Join(",", targetColumns), Task = CsvTask.Regression, Name = name });
    }

    private static string DefaultName(string path)
    {
        string file = Path.GetFileName(path);
        if (file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) file = file[..^3];
        return Path.GetFileNameWithoutExtension(file);
    }

    /// <summary>The lines of a file after the skipped ones: column names (or indices) and the data rows, each checked to have
    /// as many fields as the first.</summary>
    private sealed record Table(string Path, List<string> Header, int FirstLine, List<(int Line, List<string> Fields)> Rows)
    {
        /// <summary>Why the header is not one (it looks like data), reported once the target columns are known to exist.</summary>
        public string? HeaderProblem { get; init; }

        public void CheckHeader()
        {
            if (HeaderProblem is not null) throw new InvalidDataException(HeaderProblem);
        }
    }

    private static Table Read(string path, CsvOptions o)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        using var reader = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new StreamReader(new GZipStream(stream, CompressionMode.Decompress))
            : new StreamReader(stream);
        int lineNo = 0;
        string? line;
        for (; lineNo < o.SkipLines; lineNo++)
            if (reader.ReadLine() is null) throw new InvalidDataException($"{path}: the file has {lineNo} lines; expected more than the {o.SkipLines} to skip.");
        List<string>? header = null;
        string? headerProblem = null;
        int firstLine = lineNo + 1;
        if (o.Header)
        {
            line = reader.ReadLine();
            lineNo++;
            if (line is null) throw new InvalidDataException($"{path}: the file is empty; expected a header line naming the columns.");
            header = SplitLine(line, path, lineNo, o.Separator);
            if (header.All(h => double.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                headerProblem = $"{path}:{lineNo}: the line looks like data ('{line}'); expected a header line naming the columns (or Header = false).";
        }
        var rows = new List<(int, List<string>)>();
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = SplitLine(line, path, lineNo, o.Separator);
            header ??= Enumerable.Range(0, fields.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
            if (fields.Count != header.Count)
                throw new InvalidDataException($"{path}:{lineNo}: expected {header.Count} fields as in {(o.Header ? "the header" : $"line {firstLine}")}, got {fields.Count}: '{line}'.");
            rows.Add((lineNo, fields));
        }
        if (rows.Count == 0) throw new InvalidDataException($"{path}: no data rows{(o.Header ? " after the header" : "")}.");
        return new Table(path, header!, firstLine, rows) { HeaderProblem = headerProblem };
    }

    private static Dataset WithTargetFile(Table table, CsvOptions o, string name)
    {
        table.CheckHeader();
        var targets = Read(o.TargetPath!, o);
        targets.CheckHeader();
        if (targets.Rows.Count != table.Rows.Count)
            throw new InvalidDataException($"{o.TargetPath}: {targets.Rows.Count} rows of targets, but {table.Path} has {table.Rows.Count} rows.");
        var features = new List<float>();
        foreach (var (line, fields) in table.Rows)
            for (int j = 0; j < fields.Count; j++) features.Add(Number(table, line, j, fields[j]));
        int d = table.Header.Count;
        if (o.Task == CsvTask.Regression)
        {
            var values = new List<float>();
            foreach (var (line, fields) in targets.Rows)
                for (int j = 0; j < fields.Count; j++) values.Add(Number(targets, line, j, fields[j]));
            var names = o.Header ? targets.Header : targets.Header.Count == 1 ? ["target"] : targets.Header.Select(h => "target" + h).ToList();
            return new Dataset(name, features.ToArray(), values.ToArray(), [d], names);
        }
        if (targets.Header.Count != 1) throw new InvalidDataException($"{o.TargetPath}: a class label file has one column, got {targets.Header.Count}.");
        var labels = targets.Rows.Select(r => (r.Line, Text: r.Fields[0].Trim())).ToList();
        return Classify(targets, features.ToArray(), d, labels, 0, o.ClassNames, name);
    }

    private static Dataset Classify(Table table, float[] features, int d, List<(int Line, string Text)> labels, int labelColumn,
        IReadOnlyList<string>? classNames, string name)
    {
        string path = table.Path, column = table.Header[labelColumn];
        foreach (var (line, text) in labels)
            if (text.Length == 0) throw new InvalidDataException($"{path}:{line}: the label (column {labelColumn + 1}, '{column}') is empty; every row needs its class.");
        var classes = classNames?.ToList() ?? OrderClasses(labels.Select(l => l.Text).Distinct(StringComparer.Ordinal).ToList());
        if (classNames is null && classes.Count < 2)
            throw new InvalidDataException($"{path}: every row has the label '{classes[0]}' (column '{column}'); a classifier needs at least two classes.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < classes.Count; i++) index.TryAdd(classes[i], i);
        var y = new int[labels.Count];
        for (int i = 0; i < y.Length; i++)
            y[i] = index.TryGetValue(labels[i].Text, out int c) ? c
                : throw new InvalidDataException($"{path}:{labels[i].Line}: label '{labels[i].Text}' is not one of the {classes.Count} classes [{Preview(classes)}]; the labels must be the model's class names.");
        return new Dataset(name, features, y, [d], classes);
    }

    private static float Number(Table table, int line, int column, string field) =>
        float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) ? v
            : throw new InvalidDataException($"{table.Path}:{line}: column {column + 1} ('{table.Header[column]}') should be a finite number, got '{field}'.");

    private static string Preview(List<string> classes) =>
        classes.Count <= 12 ? string.Join(", ", classes) : string.Join(", ", classes.Take(12)) + ", …";

    private static List<string> OrderClasses(List<string> classes)
    {
        bool allInts = classes.All(c => long.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        return allInts
            ? classes.OrderBy(c => long.Parse(c, CultureInfo.InvariantCulture)).ToList()
            : classes.OrderBy(c => c, StringComparer.Ordinal).ToList();
    }

    private static int FindColumn(Table table, string column, string role, string path)
    {
        int byName = table.Header.FindIndex(h => h.Trim() == column.Trim());
        if (byName >= 0) return byName;
        if (int.TryParse(column, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= 0 && i < table.Header.Count) return i;
        throw new ArgumentException($"{path}: {role} column '{column}' is neither a column name ({string.Join(", ", table.Header)}) nor an index in 0..{table.Header.Count - 1}.");
    }

    /// <summary>Splits one CSV line at <paramref name="separator"/> outside double quotes ("" inside quotes is a quote); a space
    /// separator splits at runs of blanks and ignores leading and trailing ones.</summary>
    internal static List<string> SplitLine(string line, string path, int lineNo, char separator = ',')
    {
        if (separator == ' ') return line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
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
            else if (c == separator) { fields.Add(cur.ToString()); cur.Clear(); }
            else cur.Append(c);
        }
        if (quoted) throw new InvalidDataException($"{path}:{lineNo}: a quoted field is not closed: '{line}'.");
        fields.Add(cur.ToString());
        return fields;
    }
}
