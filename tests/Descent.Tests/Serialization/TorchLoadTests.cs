using System.Diagnostics;
using System.Text.Json;
using Descent.Serialization;
using Descent.Tests.Data;

namespace Descent.Tests.Serialization;

/// <summary>Our safetensors weights, read with json+numpy, load into a PyTorch <c>nn.Sequential</c> with <c>strict=True</c>.</summary>
public class TorchLoadTests
{
    [PythonFact("numpy", "torch")]
    public void PyTorchLoadsOurStateDict()
    {
        const string python = PythonFactAttribute.Python;
        using var tmp = new TempDir();
        string p = tmp.File("model.safetensors");
        var w = Tensor.From(new float[] { 0.5f, -1, 2, 0.25f, 3, -0.75f }, 2, 3); // [out, in]
        var b = Tensor.From(new float[] { 0.1f, -0.2f }, 2);
        Safetensors.Write(p, new Dictionary<string, Tensor> { ["0.weight"] = w, ["0.bias"] = b }, new Dictionary<string, string> { ["format"] = "pt" });
        string script = tmp.File("load.py");
        File.WriteAllText(script, """
            import json, struct, sys
            import numpy as np, torch
            raw = open(sys.argv[1], "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]
            header = json.loads(raw[8:8 + n])
            header.pop("__metadata__", None)
            sd = {}
            for name, t in header.items():
                b, e = t["data_offsets"]
                sd[name] = torch.from_numpy(np.frombuffer(raw[8 + n + b:8 + n + e], dtype="<f4").reshape(t["shape"]).copy())
            net = torch.nn.Sequential(torch.nn.Linear(3, 2))
            net.load_state_dict(sd, strict=True)
            y = net(torch.tensor([[1.0, 2.0, 3.0]]))
            print(json.dumps(y.detach().double().flatten().tolist()))
            """);
        using var proc = Process.Start(new ProcessStartInfo(python, [script, p]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string stdout = proc.StandardOutput.ReadToEnd(), stderr = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        Assert.True(proc.ExitCode == 0, stderr);
        var y = JsonSerializer.Deserialize<double[]>(stdout)!;
        Assert.Equal(0.5 - 2 + 6 + 0.1, y[0], 5);
        Assert.Equal(0.25 + 6 - 2.25 - 0.2, y[1], 5);
    }
}
