namespace Descent.Data;

/// <summary>
/// A seeded train/validation split: a random permutation of the rows (our <see cref="Rng"/>, stream
/// <see cref="Stream"/> of the seed), the first ⌈(1 − f)·n⌉ rows of it for training and the rest for validation,
/// each kept in the original row order. Validation data never takes part in fitting a normalizer.
/// </summary>
public static class Split
{
    /// <summary>The RNG stream of the split, separate from weights, shuffling and dropout.</summary>
    public const ulong Stream = 0x5B117;

    /// <summary>Splits off a fraction <paramref name="validationFraction"/> ∈ [0, 1) of the rows for validation.</summary>
    public static (Dataset Train, Dataset Validation) TrainValidation(Dataset data, double validationFraction, ulong seed)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentException($"Validation fraction must be in [0, 1), got {validationFraction}.");
        int n = data.Count;
        int nVal = (int)Math.Floor(validationFraction * n);
        if (validationFraction > 0 && nVal == 0 && n > 1) nVal = 1;
        if (nVal >= n) throw new ArgumentException($"Validation fraction {validationFraction} of {n} rows leaves no training rows.");
        var perm = new Rng(seed, Stream).Permutation(n);
        var train = perm.AsSpan(0, n - nVal).ToArray();
        var val = perm.AsSpan(n - nVal).ToArray();
        System.Array.Sort(train);
        System.Array.Sort(val);
        string root = data.Name.EndsWith("/train", StringComparison.Ordinal) ? data.Name[..^"/train".Length] : data.Name;
        return (data.Subset(train, root + "/train"), data.Subset(val, root + "/validation"));
    }

    /// <summary>
    /// Splits off a fraction <paramref name="testFraction"/> ∈ [0, 1) of the rows as a test set, as scikit-learn's
    /// <c>train_test_split</c> (the same seeded permutation as <see cref="TrainValidation"/>; works for classification and
    /// regression sets alike).
    /// </summary>
    public static DatasetPair TrainTest(Dataset data, double testFraction, ulong seed)
    {
        var (train, test) = TrainValidation(data, testFraction, seed);
        string root = data.Name.EndsWith("/train", StringComparison.Ordinal) ? data.Name[..^"/train".Length] : data.Name;
        return new DatasetPair(train, test.WithFeatures(test.Features, root + "/test"));
    }
}
