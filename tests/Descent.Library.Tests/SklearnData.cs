namespace Descent.Library.Tests;

/// <summary>
/// scikit-learn's bundled CSVs (Debian's python3-sklearn installs them): a test that reads them is a <see cref="SklearnFactAttribute"/>,
/// reported Skipped, with the reason, when they are absent.
/// </summary>
public static class SklearnData
{
    /// <summary>The folder of the bundled CSVs.</summary>
    public const string Folder = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    /// <summary>The full path of a bundled file.</summary>
    public static string File(string name) => Path.Combine(Folder, name);
}

/// <summary>A fact that needs scikit-learn's bundled CSVs: Skipped (with the reason) without them.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SklearnFactAttribute : FactAttribute
{
    /// <summary>Skips the test unless the bundled CSVs are installed.</summary>
    public SklearnFactAttribute()
    {
        if (!System.IO.File.Exists(SklearnData.File("iris.csv")))
            Skip = $"needs scikit-learn's bundled CSVs in {SklearnData.Folder} (apt-get install python3-sklearn)";
    }
}
