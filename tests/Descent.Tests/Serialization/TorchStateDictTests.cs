using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Descent.Nn;
using Descent.Serialization;
using Descent.Tests.Cli;
using Descent.Tests.Data;
using Descent.Training;

namespace Descent.Tests.Serialization;

/// <summary>
/// PyTorch weights in: a network trained a few steps by PyTorch and saved as a safetensors state dict is evaluated by
/// Descent (<see cref="TrainedModel.FromWeights"/>, <c>descent evaluate/predict --weights --model</c>) with the same logits.
/// </summary>
public class TorchStateDictTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Model = "mlp:16,12,bn=true";

    /// <summary>Train and test CSVs: 4 features, 3 classes by a fixed rule; returns the test features [n, 4].</summary>
    private static float[] WriteData(TempDir tmp, out int rows)
    {
        var rng = new Random(11);
        float[] test = [];
        foreach (var (file, n) in new[] { ("train.csv", 300), ("test.csv", 120) })
        {
            var sb = new StringBuilder("a,b,c,d,y\n");
            var x = new float[n * 4];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < 4; j++) x[i * 4 + j] = (float)Math.Round(rng.NextDouble() * 4 - 2, 3);
                int y = x[i * 4] + x[i * 4 + 1] > 0.5 ? 2 : x[i * 4 + 2] * x[i * 4 + 3] > 0 ? 1 : 0;
                sb.Append(string.Join(",", Enumerable.Range(0, 4).Select(j => x[i * 4 + j].ToString("R", CultureInfo.InvariantCulture)))).Append(',').Append(y).Append('\n');
            }
            File.WriteAllText(tmp.File(file), sb.ToString());
            test = x;
        }
        rows = 120;
        return test;
    }

    // Trains nn.Sequential(Linear(4,16,bias=False), BatchNorm1d(16), ReLU, Linear(16,12,bias=False), BatchNorm1d(12), ReLU, Linear(12,3))
    // — Descent's mlp:16,12,bn=true — for 30 Adam steps; writes its state dict as safetensors by hand (the safetensors package
    // may be absent; num_batches_tracked, int64, included as save_file writes it) and prints the test logits and accuracy.
    private const string Script = """
        import json, struct, sys
        import numpy as np, torch
        torch.manual_seed(0)
        def load(p):
            a = np.loadtxt(p, delimiter=",", skiprows=1, dtype=np.float32)
            return torch.from_numpy(a[:, :4].copy()), torch.from_numpy(a[:, 4].astype(np.int64))
        xtr, ytr = load(sys.argv[1]); xte, yte = load(sys.argv[2])
        nn = torch.nn
        net = nn.Sequential(nn.Linear(4, 16, bias=False), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 12, bias=False), nn.BatchNorm1d(12), nn.ReLU(), nn.Linear(12, 3))
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        for step in range(30):
            i = torch.randint(0, xtr.shape[0], (64,))
            opt.zero_grad(); nn.functional.cross_entropy(net(xtr[i]), ytr[i]).backward(); opt.step()
        net.eval()
        with torch.no_grad(): logits = net(xte)
        header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
        for name, t in net.state_dict().items():
            b = t.contiguous().numpy().tobytes()
            header[name] = {"dtype": "I64" if t.dtype == torch.int64 else "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
            blobs.append(b); offset += len(b)
        h = json.dumps(header).encode()
        h += b" " * (-len(h) % 8)
        with open(sys.argv[3], "wb") as f:
            f.write(struct.pack("<Q", len(h))); f.write(h); [f.write(b) for b in blobs]
        print(json.dumps({"logits": logits.flatten().tolist(), "accuracy": (logits.argmax(1) == yte).double().mean().item()}))
        """;

    [PythonFact("numpy", "torch")]
    public void PyTorchTrainsDescentEvaluatesTheSameLogits()
    {
        using var tmp = new TempDir();
        var x = WriteData(tmp, out int rows);
        File.WriteAllText(tmp.File("train.py"), Script);
        string weights = tmp.File("weights.safetensors");
        using var proc = Process.Start(new ProcessStartInfo(PythonFactAttribute.Python, [tmp.File("train.py"), tmp.File("train.csv"), tmp.File("test.csv"), weights])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string stdout = proc.StandardOutput.ReadToEnd(), stderr = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        Assert.True(proc.ExitCode == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var torchLogits = doc.RootElement.GetProperty("logits").EnumerateArray().Select(e => e.GetDouble()).ToArray();   // [n, 3]
        double torchAccuracy = doc.RootElement.GetProperty("accuracy").GetDouble();

        var model = TrainedModel.FromWeights(weights, ModelSpec.Parse(Model), [4]);
        Assert.Equal(["0", "1", "2"], model.ClassNames);
        var ours = model.Predict(x, rows).ToArray();
        double max = ours.Zip(torchLogits, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{rows} test rows: largest |Descent − PyTorch| logit difference {max:E2}; PyTorch accuracy {torchAccuracy:F4}");
        Assert.True(max <= 1e-6, $"largest |Descent − PyTorch| logit difference {max:E2}");

        string data = $"csv:{tmp.File("train.csv")},label=y,test={tmp.File("test.csv")}";
        var (exit, evaluated, err) = CliRunner.Run("evaluate", "--weights", weights, "--model", Model, "--data", data, "--json");
        Assert.True(exit == 0, err + evaluated);
        Assert.Equal(torchAccuracy, JsonDocument.Parse(evaluated).RootElement.GetProperty("test_accuracy").GetDouble(), 12);
        var (exit2, predicted, err2) = CliRunner.Run("predict", "--weights", weights, "--model", Model, "--input", tmp.File("test.csv"), "--label", "y", "--json");
        Assert.True(exit2 == 0, err2 + predicted);
        Assert.Equal(torchAccuracy, JsonDocument.Parse(predicted).RootElement.GetProperty("accuracy").GetDouble(), 12);
    }

    [Fact]
    public void MissingOrMisShapedTensorsAreOneLineErrors()
    {
        using var tmp = new TempDir();
        WriteData(tmp, out _);
        var state = ModelSpec.Parse(Model).Build([4], 3, new Rng(1)).StateDict();
        string full = tmp.File("full.safetensors"), partial = tmp.File("partial.safetensors");
        Safetensors.Write(full, state);
        Safetensors.Write(partial, state.Where(t => t.Key != "1.running_var"));
        string data = $"csv:{tmp.File("train.csv")},label=y,test={tmp.File("test.csv")}";

        var (exit, _, err) = CliRunner.Run("evaluate", "--weights", partial, "--model", Model, "--data", data);
        Assert.Equal(1, exit);
        Assert.Contains("no tensor '1.running_var'", err);
        Assert.Single(err.Trim().Split('\n'));

        (exit, _, err) = CliRunner.Run("predict", "--weights", full, "--model", "mlp:8,12,bn=true", "--input", tmp.File("test.csv"), "--label", "y");
        Assert.Equal(1, exit);
        Assert.Contains("tensor '0.weight' is [16, 4], but model 'mlp:8,12,bn=true' expects [8, 4]", err);
        Assert.Single(err.Trim().Split('\n'));

        (exit, _, err) = CliRunner.Run("evaluate", "--weights", full, "--data", data);
        Assert.Equal(1, exit);
        Assert.Contains("--weights needs --model", err);

        var extra = state.ToDictionary(t => t.Key, t => t.Value);
        extra["head.weight"] = Tensor.Zeros(3, 12);
        Safetensors.Write(full, extra);
        (exit, _, err) = CliRunner.Run("evaluate", "--weights", full, "--model", Model, "--data", data);
        Assert.Equal(1, exit);
        Assert.Contains("tensor 'head.weight' has no place in model", err);
    }
}
