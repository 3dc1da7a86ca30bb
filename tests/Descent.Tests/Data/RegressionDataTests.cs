using Descent.Data;

namespace Descent.Tests.Data;

public class RegressionDataTests
{
    [Fact]
    public void CsvTargetColumnBecomesFloatTargets()
    {
        using var dir = new TempDir();
        var path = dir.File("houses.csv");
        File.WriteAllText(path, "rooms,price,area\n3,250.5,80\n4,300,95.5\n2,180,60\n");
        var d = Csv.LoadRegression(path, ["price"]);
        Assert.True(d.IsRegression);
        Assert.Equal(2, d.FeatureCount);
        Assert.Equal(1, d.OutputCount);
        Assert.Equal(["price"], d.TargetNames);
        Assert.Equal([3f, 80, 4, 95.5f, 2, 60], d.Features);
        Assert.Equal([250.5f, 300, 180], d.Targets!);
        var two = Csv.LoadRegression(path, ["2", "price"]);   // by index and by name; kept in the order given
        Assert.Equal(["area", "price"], two.TargetNames);
        Assert.Equal([80f, 250.5f, 95.5f, 300, 60, 180], two.Targets!);
    }

    [Fact]
    public void CsvRegressionErrorsNameFileLineAndColumn()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.csv");
        File.WriteAllText(path, "x,y\n1,2\n3,oops\n");
        var e = Assert.Throws<InvalidDataException>(() => Csv.LoadRegression(path, ["y"]));
        Assert.Equal($"{path}:3: column 2 ('y') should be a finite number, got 'oops'.", e.Message);
        var missing = Assert.Throws<ArgumentException>(() => Csv.LoadRegression(path, ["z"]));
        Assert.Equal($"{path}: target column 'z' is neither a column name (x, y) nor an index in 0..1.", missing.Message);
    }

    [Fact]
    public void DatasetSpecTakesACsvPathWithATarget()
    {
        using var dir = new TempDir();
        var path = dir.File("r.csv");
        File.WriteAllText(path, "a,b,y\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"{i},{i % 7},{2 * i}\n")));
        var pair = DatasetSpec.Load(path, 1, target: "y");
        Assert.True(pair.Train.IsRegression && pair.Test.IsRegression);
        Assert.Equal(40, pair.Train.Count);
        Assert.Equal(10, pair.Test.Count);
        for (int i = 0; i < pair.Train.Count; i++) Assert.Equal(2 * pair.Train.Features[2 * i], pair.Train.Targets![i]);   // rows keep their targets through the split
        Assert.True(DatasetSpec.Load($"csv:{path},target=y", 1).Train.IsRegression);
        Assert.Contains("target columns are for a CSV", Assert.Throws<ArgumentException>(() => DatasetSpec.Load("moons", 1, "y")).Message);
    }

    [Fact]
    public void SyntheticRegressionSetsAreSeededFunctions()
    {
        var sine = DatasetSpec.Load("sine:n=200,noise=0", 5);
        Assert.Equal(200, sine.Train.Count);
        for (int i = 0; i < 200; i++) Assert.Equal(Math.Sin(sine.Train.Features[i]), sine.Train.Targets![i], 1e-6);   // float32 rounding
        Assert.Equal(sine.Train.Targets, DatasetSpec.Load("sine:n=200,noise=0", 5).Train.Targets);
        Assert.NotEqual(sine.Train.Targets, sine.Test.Targets);
        var friedman = DatasetSpec.Load("friedman", 5).Train;
        Assert.Equal(10, friedman.FeatureCount);
        Assert.InRange(friedman.Targets!.Average(v => v), 12, 17);   // E[y] = 14.41 for Friedman #1
    }

    [Fact]
    public void LoaderBatchesCarryTargetsOfTheirRows()
    {
        var x = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var y = Enumerable.Range(0, 10).Select(i => i * 10f).ToArray();
        var loader = new DataLoader(new Dataset("r", x, y, [1], ["y"]), 4, shuffle: true, seed: 3);
        int rows = 0;
        foreach (var b in loader.Batches(0))
        {
            for (int i = 0; i < b.Count; i++) Assert.Equal(b.X[i] * 10, b.Targets![i]);
            rows += b.Count;
        }
        Assert.Equal(10, rows);
    }

    [Fact]
    public void ClassificationLoaderGivesOneHotTargetsWhenAsked()
    {
        var data = new Dataset("c", [0f, 1, 2], [2, 0, 1], [1], ["a", "b", "c"]);
        var plain = new DataLoader(data, 3, shuffle: false);
        Assert.True(plain.Next(out var b) && b.Targets is null);
        var oneHot = new DataLoader(data, 3, shuffle: false, oneHotTargets: true);
        Assert.True(oneHot.Next(out var h));
        Assert.Equal(new double[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 }, h.Targets!.ToArray());
    }
}
