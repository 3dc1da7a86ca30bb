using Descent.Nn;

namespace Descent.Onnx;

/// <summary>
/// Turns a module tree into ONNX nodes (the table is in <see cref="OnnxExport"/>'s summary). Each step gets the value
/// name of its input and a probe: one example [1, …] of that input run through Descent itself, so every shape the
/// export needs (a pooling's input size, the output's) is the one Descent computes.
/// </summary>
internal sealed class Exporter(OnnxGraph graph)
{
    private static readonly float Sqrt2 = MathF.Sqrt(2f);

    /// <summary>Emits <paramref name="m"/> (state-dict path <paramref name="path"/>) on value <paramref name="x"/>; returns the output value and probe.</summary>
    public (string Value, Tensor Probe) Emit(Module m, string path, string x, Tensor probe)
    {
        switch (m)
        {
            case Sequential seq:
                var input = seq.AsInput(probe);
                if (!Shape.Equal(input.Shape, probe.Shape)) x = Reshape(path, x, input.ShapeArray[1..]);
                probe = input;
                foreach (var (name, child) in seq.NamedChildren())
                    (x, probe) = Emit(child, Join(path, name), x, probe);
                return (x, probe);
            case Residual res:
                var (f, fp) = Emit(res.Body, Join(path, "body"), x, probe);
                var (s, _) = res.Shortcut is null ? (x, probe) : Emit(res.Shortcut, Join(path, "shortcut"), x, probe);
                return (graph.Node("Add", path, [f, s]), res.Forward(probe));
        }
        string y = Leaf(m, path, x, probe);
        return (y, m.Forward(probe));
    }

    private string Leaf(Module m, string path, string x, Tensor probe) => m switch
    {
        Linear l when probe.Rank == 2 => graph.Node("Gemm", path,
            l.Bias is null ? [x, Weight(path, "weight", l.Weight)] : [x, Weight(path, "weight", l.Weight), Weight(path, "bias", l.Bias)],
            OnnxAttribute.Of("transB", 1L)),
        Linear => throw Unsupported(m, path, $"a Linear on input {Shape.Format(probe.Shape)}; the export takes [batch, features]"),
        BatchNorm bn => graph.Node("BatchNormalization", path,
            [x, Weight(path, "weight", bn.Weight, 1f, bn.NumFeatures), Weight(path, "bias", bn.Bias, 0f, bn.NumFeatures),
             Weight(path, "running_mean", bn.RunningMean), Weight(path, "running_var", bn.RunningVar)],
            OnnxAttribute.Of("epsilon", (float)bn.Eps)),
        Conv2d c => graph.Node("Conv", path,
            c.Bias is null ? [x, Weight(path, "weight", c.Weight)] : [x, Weight(path, "weight", c.Weight), Weight(path, "bias", c.Bias)],
            OnnxAttribute.Of("kernel_shape", c.KernelSize.H, c.KernelSize.W), OnnxAttribute.Of("strides", c.Stride.H, c.Stride.W),
            Pads(c.Padding), OnnxAttribute.Of("dilations", c.Dilation.H, c.Dilation.W), OnnxAttribute.Of("group", (long)c.Groups)),
        MaxPool2d p => graph.Node("MaxPool", path, [x],
            OnnxAttribute.Of("kernel_shape", p.KernelSize.H, p.KernelSize.W), OnnxAttribute.Of("strides", p.Stride.H, p.Stride.W), Pads(p.Padding)),
        AvgPool2d p => graph.Node("AveragePool", path, [x],
            OnnxAttribute.Of("kernel_shape", p.KernelSize.H, p.KernelSize.W), OnnxAttribute.Of("strides", p.Stride.H, p.Stride.W), Pads(p.Padding),
            OnnxAttribute.Of("count_include_pad", p.CountIncludePad ? 1L : 0L)),
        AdaptiveAvgPool2d a => AdaptiveAverage(a, path, x, probe),
        Flatten fl => FlattenFrom(fl, path, x, probe),
        Dropout or Identity => x,
        ReLU => graph.Node("Relu", path, [x]),
        Tanh => graph.Node("Tanh", path, [x]),
        Sigmoid => graph.Node("Sigmoid", path, [x]),
        LeakyReLU r => graph.Node("LeakyRelu", path, [x], OnnxAttribute.Of("alpha", (float)r.NegativeSlope)),
        ELU e => graph.Node("Elu", path, [x], OnnxAttribute.Of("alpha", (float)e.Alpha)),
        Softmax s => graph.Node("Softmax", path, [x], OnnxAttribute.Of("axis", (long)s.Axis)),
        GELU => Gelu(path, x),
        _ => throw Unsupported(m, path, $"{m.GetType().Name}, which has no ONNX form here"),
    };

    /// <summary>GELU(x) = 0.5·x·(1 + erf(x/√2)), exact (not the tanh approximation), as Descent's.</summary>
    private string Gelu(string path, string x)
    {
        string erf = graph.Node("Erf", path, [graph.Node("Div", path, [x, Scalar(path, "sqrt2", Sqrt2)])]);
        string half = graph.Node("Mul", path, [x, graph.Node("Add", path, [erf, Scalar(path, "one", 1f)])]);
        return graph.Node("Mul", path, [half, Scalar(path, "half", 0.5f)]);
    }

    /// <summary>
    /// AdaptiveAvgPool2d to (OH, OW) on [N, C, H, W]: GlobalAveragePool for 1 × 1; AveragePool with window = stride =
    /// (H/OH, W/OW) when they divide; otherwise each bin's mean as a product with the averaging matrix
    /// A [H·W, OH·OW], A[(h, w), (i, j)] = 1/|bin(i, j)| inside bin (i, j) (rows [⌊i·H/OH⌋, ⌈(i + 1)·H/OH⌉), columns likewise).
    /// </summary>
    private string AdaptiveAverage(AdaptiveAvgPool2d a, string path, string x, Tensor probe)
    {
        if (probe.Rank != 4) throw Unsupported(a, path, $"AdaptiveAvgPool2d on input {Shape.Format(probe.Shape)}; the export takes [N, C, H, W]");
        int h = probe.Shape[2], w = probe.Shape[3], oh = a.OutputSize.H, ow = a.OutputSize.W;
        if (oh == 1 && ow == 1) return graph.Node("GlobalAveragePool", path, [x]);
        if (h % oh == 0 && w % ow == 0)
            return graph.Node("AveragePool", path, [x], OnnxAttribute.Of("kernel_shape", h / oh, w / ow), OnnxAttribute.Of("strides", h / oh, w / ow));
        var average = new float[h * w * oh * ow];   // [H·W, OH·OW]
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                int h0 = i * h / oh, h1 = ((i + 1) * h + oh - 1) / oh, w0 = j * w / ow, w1 = ((j + 1) * w + ow - 1) / ow;
                float share = 1f / ((h1 - h0) * (w1 - w0));
                for (int r = h0; r < h1; r++)
                    for (int c = w0; c < w1; c++) average[(r * w + c) * oh * ow + i * ow + j] = share;
            }
        string flat = graph.Node("Reshape", path, [x, graph.Int64Constant(Join(path, "flat_shape"), 0, 0, -1)]);   // [N, C, H·W]
        string pooled = graph.Node("MatMul", path, [flat, graph.Constant(Join(path, "average"), average, h * w, oh * ow)]);
        return graph.Node("Reshape", path, [pooled, graph.Int64Constant(Join(path, "shape"), 0, 0, oh, ow)]);
    }

    /// <summary>Flatten from axis 1 is ONNX's Flatten; from axis k, a Reshape keeping the first k dimensions (0 = copy) and merging the rest (−1).</summary>
    private string FlattenFrom(Flatten fl, string path, string x, Tensor probe)
    {
        int axis = fl.StartAxis < 0 ? fl.StartAxis + probe.Rank : fl.StartAxis;
        if (axis == 1) return graph.Node("Flatten", path, [x], OnnxAttribute.Of("axis", 1L));
        return graph.Node("Reshape", path, [x, graph.Int64Constant(Join(path, "shape"), [.. Enumerable.Repeat(0L, axis), -1L])]);
    }

    /// <summary>A Reshape to [batch, …exampleShape] (Sequential's view of a flat input).</summary>
    private string Reshape(string path, string x, int[] exampleShape) =>
        graph.Node("Reshape", path, [x, graph.Int64Constant(Join(path, "input_shape"), [-1L, .. exampleShape.Select(d => (long)d)])]);

    /// <summary>A parameter or buffer as a float32 initializer named by its state-dict path; absent (null), <paramref name="fill"/> × <paramref name="count"/>.</summary>
    private string Weight(string path, string name, Tensor? t, float fill = 0, int count = 0)
    {
        if (t is null) return graph.Constant(Join(path, name), Enumerable.Repeat(fill, count).ToArray(), count);
        return graph.Constant(Join(path, name), t.ToFloatArray(), t.ShapeArray);
    }

    private string Scalar(string path, string name, float value) => graph.Constant(Join(path, name), [value], 1);

    /// <summary>ONNX pads: [begin H, begin W, end H, end W] (the same on both sides, as PyTorch pads).</summary>
    private static OnnxAttribute Pads((int H, int W) p) => OnnxAttribute.Of("pads", p.H, p.W, p.H, p.W);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static ArgumentException Unsupported(Module m, string path, string what) =>
        new($"ONNX export: layer '{(path.Length == 0 ? "(the model)" : path)}' is {what}; it cannot be exported.");
}
