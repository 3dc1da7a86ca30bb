using Descent.Data;

namespace Descent.Tests.Data;

public class CsvTests
{
    [Fact]
    public void LoadsFeaturesAndLabelsInNumericOrder()
    {
        using var tmp = new TempDir();
        string p = tmp.File("d.csv");
        File.WriteAllText(p, "a,b,label\n1.5,2,10\n-3,4e-1,2\n\n0,0,10\n");
        var d = Csv.Load(p);
        Assert.Equal(3, d.Count);
        Assert.Equal([2], d.FeatureShape);
        Assert.Equal([1.5f, 2f, -3f, 0.4f, 0f, 0f], d.Features);
        Assert.Equal(["2", "10"], d.ClassNames);
        Assert.Equal([1, 0, 1], d.Labels);
    }

    [Fact]
    public void LabelColumnByNameAndTextLabels()
    {
        using var tmp = new TempDir();
        string p = tmp.File("iris.csv");
        File.WriteAllText(p, "species,x,\"y\"\nsetosa,1,2\nvirginica,3,4\n\"setosa\",5,6\n");
        var d = Csv.Load(p, "species");
        Assert.Equal(["setosa", "virginica"], d.ClassNames);
        Assert.Equal([0, 1, 0], d.Labels);
        Assert.Equal([1f, 2, 3, 4, 5, 6], d.Features);
    }

    [Fact]
    public void NonNumericFieldNamesLineColumnAndValue()
    {
        using var tmp = new TempDir();
        string p = tmp.File("bad.csv");
        File.WriteAllText(p, "a,b,y\n1,2,0\n1,abc,1\n");
        var e = Assert.Throws<InvalidDataException>(() => Csv.Load(p));
        Assert.Contains($"{p}:3", e.Message);
        Assert.Contains("'abc'", e.Message);
        Assert.Contains("('b')", e.Message);
    }

    [Fact]
    public void WrongFieldCountAndMissingHeaderAreErrors()
    {
        using var tmp = new TempDir();
        string p = tmp.File("bad.csv");
        File.WriteAllText(p, "a,b,y\n1,2\n");
        Assert.Contains("expected 3 fields", Assert.Throws<InvalidDataException>(() => Csv.Load(p)).Message);
        File.WriteAllText(p, "1,2,0\n1,2,1\n");
        Assert.Contains("header", Assert.Throws<InvalidDataException>(() => Csv.Load(p)).Message);
        Assert.Contains("label column 'zz'", Assert.Throws<ArgumentException>(() => Csv.Load(tmp.File("bad.csv"), "zz")).Message);
    }

    [Fact]
    public void SpecSplitsCsvSeeded()
    {
        using var tmp = new TempDir();
        string p = tmp.File("d.csv");
        File.WriteAllLines(p, ["x,y", .. Enumerable.Range(0, 50).Select(i => $"{i},{i % 2}")]);
        var a = DatasetSpec.Load($"csv:{p},label=y", 3);
        var b = DatasetSpec.Load($"csv:{p}", 3);
        Assert.Equal(40, a.Train.Count);
        Assert.Equal(10, a.Test.Count);
        Assert.Equal(a.Test.Features, b.Test.Features);
        Assert.Empty(a.Train.Features.Intersect(a.Test.Features));
    }
}
