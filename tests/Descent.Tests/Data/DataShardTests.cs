using Descent.Data;

namespace Descent.Tests.Data;

public class DataShardTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ShardsOfEveryBatchTogetherAreTheOneProcessBatch(int ranks)
    {
        const int n = 23, d = 2, batch = 6;   // 3 full batches and a last one of 5 rows
        var features = Enumerable.Range(0, n * d).Select(i => (float)i).ToArray();
        var data = new Dataset("rows", features, Enumerable.Range(0, n).ToArray(), [d], Enumerable.Range(0, n).Select(i => $"c{i}").ToArray());
        var whole = new DataLoader(data, batch, shuffle: true, seed: 7);
        var shards = Enumerable.Range(0, ranks).Select(r => new DataLoader(data, batch, shuffle: true, seed: 7, shard: new DataShard(r, ranks))).ToArray();
        foreach (var loader in shards) loader.StartEpoch(1);
        whole.StartEpoch(1);
        while (whole.Next(out var all))
        {
            var labels = new List<int>();
            var x = new List<double>();
            foreach (var loader in shards)
            {
                Assert.True(loader.Next(out var part));
                Assert.Equal(all.Count, part.GlobalCount);
                Assert.InRange(part.Count, all.Count / ranks, all.Count / ranks + 1);
                labels.AddRange(part.Labels);
                for (int i = 0; i < part.X.Length; i++) x.Add(part.X[i]);
            }
            Assert.Equal(all.Labels, labels);
            Assert.Equal(Enumerable.Range(0, all.X.Length).Select(i => all.X[i]), x);
        }
        Assert.All(shards, s => Assert.False(s.Next(out _)));
    }

    [Fact]
    public void ARankWithoutRowsIsRefusedWithTheReason()
    {
        var data = new Dataset("rows", new float[10], new int[10], [1], ["a"]);
        var e = Assert.Throws<ArgumentException>(() => new DataLoader(data, 4, shard: new DataShard(0, 3)));   // last batch: 2 rows for 3 ranks
        Assert.Contains("last batch of each epoch has 2 rows, fewer than the 3 ranks", e.Message);
        Assert.Throws<ArgumentException>(() => new DataLoader(data, 2, shard: new DataShard(0, 3)));
        _ = new DataLoader(data, 4, dropLast: true, shard: new DataShard(2, 3));
    }
}
