using Descent.Cli.Rendering;

namespace Descent.Tests.Cli.Rendering;

public class FittedTableTests
{
    private static FittedTable Metrics()
    {
        var table = new FittedTable().Add("epoch", numeric: true);
        string[] names = ["train_loss", "train_acc", "val_loss", "val_acc", "lr", "grad_norm", "samples/s", "seconds"];
        for (int i = 0; i < names.Length; i++) table.Add(names[i], numeric: true, priority: 1 + i);
        for (int e = 1; e <= 3; e++)
            table.AddRow(e.ToString(), "0.3121", "0.8870", "0.3345", "0.8801", Numbers.Rate(9.549e-05), "1.2345", Numbers.Count(61234.5), "0.9800");
        return table;
    }

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(120)]
    public void HeadersAndNumbersAreNeverSplit(int width)
    {
        var t = new TestConsole(width, terminal: false);
        var dropped = Metrics().Write(t.Console);
        t.AssertFits();
        var header = t.Lines[1];
        foreach (var h in new[] { "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "grad_norm", "samples/s", "seconds" })
            Assert.True(header.Contains(h) ^ dropped.Contains(h), $"'{h}' should be either a whole header or named as left out at {width}:\n{string.Join("\n", t.Lines)}");
        Assert.Equal(3, t.Lines.Count(l => l.Contains("0.3121")));   // one row per line: nothing wrapped
        if (dropped.Count > 0) Assert.Contains($"left out at {width} columns", t.Words);
        if (width == 120) Assert.Empty(dropped);
        if (width == 80) Assert.Equal(["samples/s", "seconds"], dropped);
    }
}
