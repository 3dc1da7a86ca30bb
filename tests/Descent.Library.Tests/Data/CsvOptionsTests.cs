using Descent.Data;

namespace Descent.Library.Tests.Data;

public class CsvOptionsTests
{
    [SklearnFact]
    public void ScikitLearnsBundledCsvsLoadWithOneCallEach()
    {
        var sk = new CsvOptions { SkipLines = 1, Header = false };
        var iris = Csv.Load(SklearnData.File("iris.csv"), sk);
        Assert.Equal((150, 4, 3), (iris.Count, iris.FeatureCount, iris.ClassCount));
        Assert.Equal([50, 50, 50], iris.ClassCounts());
        var wine = Csv.Load(SklearnData.File("wine_data.csv"), sk);
        Assert.Equal((178, 13, 3), (wine.Count, wine.FeatureCount, wine.ClassCount));
        var cancer = Csv.Load(SklearnData.File("breast_cancer.csv"), sk);
        Assert.Equal((569, 30, 2), (cancer.Count, cancer.FeatureCount, cancer.ClassCount));
        Assert.Equal([212, 357], cancer.ClassCounts());
        var diabetes = Csv.Load(SklearnData.File("diabetes_data_raw.csv.gz"), new CsvOptions
        {
            Header = false, Separator = ' ', Task = CsvTask.Regression, TargetPath = SklearnData.File("diabetes_target.csv.gz"),
        });
        Assert.Equal((442, 10, true), (diabetes.Count, diabetes.FeatureCount, diabetes.IsRegression));
        Assert.Equal(151f, diabetes.Targets![0]);
        Assert.Equal(59f, diabetes.Features[0]);
    }

    [Fact]
    public void HeaderlessSkippedSeparatedRegressionWithTargetColumn()
    {
        string p = Path.GetTempFileName();
        try
        {
            File.WriteAllText(p, "# a comment line\n1;2;3\n4;5;6\n7;8;9\n");
            var d = Csv.Load(p, new CsvOptions { SkipLines = 1, Header = false, Separator = ';', Target = "1", Task = CsvTask.Regression });
            Assert.Equal([1f, 3, 4, 6, 7, 9], d.Features);
            Assert.Equal([2f, 5, 8], d.Targets!);
            Assert.Equal(["1"], d.TargetNames);
            var e = Assert.Throws<InvalidDataException>(() => Csv.Load(p, new CsvOptions { SkipLines = 1, Separator = ';' }));
            Assert.Contains($"{p}:2", e.Message);                         // a data line taken for a header says where and what to do
            Assert.Contains("Header = false", e.Message);
        }
        finally { File.Delete(p); }
    }
}
