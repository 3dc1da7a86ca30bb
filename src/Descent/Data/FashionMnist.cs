namespace Descent.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 60 000 training and 10 000 test grey-scale 28×28 images
/// of clothing in 10 classes, stored as four IDX files; and MNIST (LeCun et al.), which has the same layout.
/// Pixels are scaled to [0, 1] (x/255); features <c>[n, 784]</c>, example shape <c>[1, 28, 28]</c>.
/// </summary>
/// <remarks>
/// Located, first match wins: <c>/usr/share/datasets/fashion-mnist</c> (Debian package
/// <c>dataset-fashion-mnist</c>), then <c>$DESCENT_DATA</c> and <c>$DESCENT_DATA/fashion-mnist</c>, then
/// <c>~/.descent/datasets/fashion-mnist</c>. A folder matches when it holds the four files, each either
/// gzip-compressed (<c>.gz</c>) or raw.
/// </remarks>
public static class FashionMnist
{
    /// <summary>The ten class names, by label.</summary>
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>MNIST's class names: the digits.</summary>
    public static readonly IReadOnlyList<string> DigitNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>The four file names (without <c>.gz</c>).</summary>
    public static readonly IReadOnlyList<string> FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>The folders searched, in order (from the environment at the time of the call).</summary>
    public static IReadOnlyList<string> SearchPath()
    {
        var dirs = new List<string> { "/usr/share/datasets/fashion-mnist" };
        string? env = Environment.GetEnvironmentVariable("DESCENT_DATA");
        if (!string.IsNullOrWhiteSpace(env))
        {
            dirs.Add(env);
            dirs.Add(Path.Combine(env, "fashion-mnist"));
        }
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) dirs.Add(Path.Combine(home, ".descent", "datasets", "fashion-mnist"));
        return dirs;
    }

    /// <summary>The first folder of <see cref="SearchPath"/> that holds the four files, or null.</summary>
    public static string? TryLocate() => SearchPath().FirstOrDefault(HasAllFiles);

    /// <summary>The folder of Fashion-MNIST; a <see cref="FileNotFoundException"/> that lists where it looked and how to install otherwise.</summary>
    public static string Locate() => TryLocate() ?? throw new FileNotFoundException(
        $"Fashion-MNIST not found; looked in {string.Join(", ", SearchPath())} for {string.Join(", ", FileNames.Select(f => f + ".gz"))}. " +
        "Install it with `sudo apt-get install dataset-fashion-mnist`, or download the four files from " +
        "https://github.com/zalandoresearch/fashion-mnist into $DESCENT_DATA/fashion-mnist or ~/.descent/datasets/fashion-mnist.");

    /// <summary>Whether <paramref name="dir"/> holds the four IDX files (raw or .gz).</summary>
    public static bool HasAllFiles(string dir) => Directory.Exists(dir) && FileNames.All(f => FindFile(dir, f) is not null);

    /// <summary>Loads Fashion-MNIST from where <see cref="Locate"/> finds it (or from <paramref name="dir"/>).</summary>
    public static DatasetPair Load(string? dir = null) => LoadFolder(dir ?? Locate(), "fashion-mnist", ClassNames);

    /// <summary>Loads MNIST from a folder holding its four IDX files.</summary>
    public static DatasetPair LoadMnist(string dir) => LoadFolder(dir, "mnist", DigitNames);

    /// <summary>Loads the four IDX files of <paramref name="dir"/>, checking that images and labels agree.</summary>
    public static DatasetPair LoadFolder(string dir, string name, IReadOnlyList<string> classNames)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{name}: folder '{dir}' does not exist.");
        string Need(string f) => FindFile(dir, f) ?? throw new FileNotFoundException(
            $"{name}: '{Path.Combine(dir, f)}' (or .gz) is missing; the folder must hold {string.Join(", ", FileNames)}.");
        var train = LoadPair(Need(FileNames[0]), Need(FileNames[1]), name + "/train", classNames);
        var test = LoadPair(Need(FileNames[2]), Need(FileNames[3]), name + "/test", classNames);
        if (!train.FeatureShape.AsSpan().SequenceEqual(test.FeatureShape))
            throw new InvalidDataException($"{name}: training images are {Shape.Format(train.FeatureShape)}, test images {Shape.Format(test.FeatureShape)}.");
        return new DatasetPair(train, test);
    }

    /// <summary>Loads an images file (rank 3, u8) and its labels file (rank 1, u8) as one dataset.</summary>
    public static Dataset LoadPair(string imagesPath, string labelsPath, string name, IReadOnlyList<string> classNames)
    {
        var images = IdxCache.Read(imagesPath);
        var labels = IdxCache.Read(labelsPath);
        if (images.TypeCode != 0x08 || images.Dimensions.Length != 3)
            throw new InvalidDataException($"{imagesPath}: expected unsigned-byte images of rank 3 [n, rows, cols], got type 0x{images.TypeCode:X2} with dimensions [{string.Join(", ", images.Dimensions)}] (byte offsets 2–3).");
        if (labels.TypeCode != 0x08 || labels.Dimensions.Length != 1)
            throw new InvalidDataException($"{labelsPath}: expected unsigned-byte labels of rank 1 [n], got type 0x{labels.TypeCode:X2} with dimensions [{string.Join(", ", labels.Dimensions)}] (byte offsets 2–3).");
        if (images.Dimensions[0] != labels.Dimensions[0])
            throw new InvalidDataException($"Counts disagree: {imagesPath} holds {images.Dimensions[0]} images (byte offset 4), {labelsPath} holds {labels.Dimensions[0]} labels (byte offset 4).");
        var y = labels.ToInts();
        for (int i = 0; i < y.Length; i++)
            if (y[i] >= classNames.Count)
                throw new InvalidDataException($"{labelsPath}: label {y[i]} at byte offset {8 + i} is outside 0..{classNames.Count - 1}.");
        return new Dataset(name, images.Data, 255f, y, [1, images.Dimensions[1], images.Dimensions[2]], classNames);   // pixels kept as bytes: x = b/255
    }

    private static string? FindFile(string dir, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            string p = Path.Combine(dir, candidate);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
