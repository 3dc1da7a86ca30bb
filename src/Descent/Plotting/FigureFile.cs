using System.Text;

namespace Descent.Plotting;

/// <summary>Writes text files atomically: to a temporary name in the same folder, flushed, then renamed.</summary>
internal static class FigureFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> (UTF-8, no BOM) atomically; creates the folder.</summary>
    public static void WriteAtomic(string path, string content)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
        {
            var bytes = new UTF8Encoding(false).GetBytes(content);
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, full, overwrite: true);
    }
}
