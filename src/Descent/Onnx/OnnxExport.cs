using Descent.Data;
using Descent.Nn;
using Descent.Serialization;
using Descent.Training;

namespace Descent.Onnx;

/// <summary>What <see cref="OnnxExport"/> writes besides the layers: value names and an input normalization.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Name of the graph input, [batch, …example shape] float32.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>Name of the graph output, [batch, outputs] float32 (logits of a classifier, values of a regression).</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>
    /// A z-score normalization applied to the input before the first layer, (x − μ)·(1/σ), so the file takes raw
    /// features as <see cref="TrainedModel.Predict"/> does; null: the input goes to the first layer as it is.
    /// </summary>
    public Normalizer? Normalizer { get; init; }
}

/// <summary>
/// Writes a model as an ONNX file (protobuf, ONNX IR version 8, <b>opset 17</b> of the default domain) that ONNX Runtime
/// and other ONNX tools run: one float32 input [batch, …example shape] and one float32 output [batch, outputs], the
/// batch dimension symbolic ("batch"), the weights as initializers under their state-dict names (<c>0.weight</c>).
/// The model is exported in evaluation mode. Layer by layer:
/// <list type="table">
/// <item><term>Linear</term><description>Gemm (transB = 1), with the bias as C when there is one</description></item>
/// <item><term>BatchNorm1d, BatchNorm2d</term><description>BatchNormalization with the running statistics (γ = 1, β = 0 when not affine)</description></item>
/// <item><term>Conv2d</term><description>Conv (kernel_shape, strides, pads, dilations, group)</description></item>
/// <item><term>MaxPool2d, AvgPool2d</term><description>MaxPool, AveragePool (count_include_pad)</description></item>
/// <item><term>AdaptiveAvgPool2d</term><description>GlobalAveragePool for 1 × 1; AveragePool when the output size divides the input's;
/// otherwise a MatMul by the bins' averaging matrix between two Reshapes</description></item>
/// <item><term>Flatten</term><description>Flatten (axis 1), or Reshape for another start axis</description></item>
/// <item><term>Residual</term><description>Add of the body and the shortcut (identity, or the projection's Gemm)</description></item>
/// <item><term>Dropout, Identity</term><description>nothing (evaluation mode is the identity)</description></item>
/// <item><term>ReLU, Tanh, Sigmoid, LeakyReLU, ELU, Softmax</term><description>Relu, Tanh, Sigmoid, LeakyRelu (alpha), Elu (alpha), Softmax (axis)</description></item>
/// <item><term>GELU</term><description>0.5·x·(1 + erf(x/√2)) from Div, Erf, Add, Mul (opset 17 has no Gelu operator)</description></item>
/// </list>
/// A float64 model is written in float32. Other module types are refused with an error naming them.
/// </summary>
public static class OnnxExport
{
    /// <summary>The producer name written in every file (ModelProto.producer_name).</summary>
    public const string Producer = "Descent";

    /// <summary>The operator set version of the files (ONNX opset 17).</summary>
    public const long Opset = OnnxGraph.Opset;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> (atomically) for examples of <paramref name="exampleShape"/>
    /// (e.g. [784], or [1, 28, 28] for a CNN). An existing file is replaced only if it is an ONNX file Descent wrote.
    /// </summary>
    public static void Save(Module model, string path, int[] exampleShape, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = ToBytes(model, exampleShape, options);
        if (File.Exists(path) && !IsOwnFile(path))
            throw new IOException($"'{path}' exists and is not an ONNX file written by Descent; it is left alone. Choose another path or remove it.");
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Writes a model trained by <c>descent train</c>: the input takes raw features shaped as the model's input
    /// (<see cref="InputShape(TrainedModel)"/>), normalized inside the graph as in training;
    /// the output is named <c>logits</c> for a classifier and <c>output</c> for a regression.
    /// </summary>
    public static void Save(TrainedModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var options = new OnnxExportOptions { Normalizer = model.Normalizer, OutputName = model.IsRegression ? "output" : "logits" };
        Save(model.Model, path, InputShape(model), options);
    }

    /// <summary>
    /// The example shape of a trained model's ONNX input: the model's <see cref="Sequential.InputShape"/> (e.g. [1, 28, 28]
    /// for a CNN), else the flat features [d] an MLP takes.
    /// </summary>
    public static int[] InputShape(TrainedModel model) => model.Model.InputShape ?? [model.FeatureCount];

    /// <summary>The ONNX file's bytes (see <see cref="Save(Module, string, int[], OnnxExportOptions?)"/>).</summary>
    public static byte[] ToBytes(Module model, int[] exampleShape, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleShape);
        if (exampleShape.Length == 0 || exampleShape.Any(d => d < 1))
            throw new ArgumentException($"ONNX export: the example shape needs dimensions ≥ 1 (the batch axis left out), got {Shape.Format(exampleShape)}.");
        options ??= new OnnxExportOptions();
        if (options.InputName == options.OutputName || options.InputName.Length == 0 || options.OutputName.Length == 0)
            throw new ArgumentException($"ONNX export: the input and output need two different non-empty names, got '{options.InputName}' and '{options.OutputName}'.");
        bool wasTraining = model.Training;
        var dtype = model.NamedParameters().Select(p => p.Tensor.DType).DefaultIfEmpty(DType.Float32).First();
        try
        {
            model.Eval();
            using var _ = Autograd.NoGrad();
            var graph = new OnnxGraph();
            string x = graph.Unique(options.InputName);
            graph.Unique(options.OutputName);
            if (options.Normalizer is { } norm) x = Normalize(graph, x, norm, exampleShape);
            var probe = Tensor.Zeros(dtype, [1, .. exampleShape]);   // one example, for the shapes flowing through
            var (y, output) = new Exporter(graph).Emit(model, "", x, probe);
            if (output.Rank < 1) throw new ArgumentException($"ONNX export: the model's output {Shape.Format(output.Shape)} has no batch axis.");
            return graph.ToModel("descent", options.InputName, exampleShape, y, options.OutputName, output.ShapeArray[1..], Version,
                $"Exported by Descent {Version}: {model.GetType().Name} in evaluation mode.");
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    /// <summary>Whether <paramref name="path"/> starts as every ONNX file of Descent does (its IR version and producer name).</summary>
    public static bool IsOwnFile(string path)
    {
        byte[] prefix = OnnxGraph.Header().ToArray();
        var head = new byte[prefix.Length];
        using var f = File.OpenRead(path);
        return f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.AsSpan().SequenceEqual(prefix);
    }

    /// <summary>Descent's version (the package version), written as ModelProto.producer_version.</summary>
    public static string Version { get; } =
        (typeof(OnnxExport).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>(x − μ)·(1/σ) with the normalizer's float32 constants, shaped to broadcast over [batch, …example shape].</summary>
    private static string Normalize(OnnxGraph graph, string x, Normalizer norm, int[] exampleShape)
    {
        int[] dims = norm.Mean.Length == 1 ? [1] : exampleShape;
        if (Shape.Numel(dims) != norm.Mean.Length)
            throw new ArgumentException($"ONNX export: the normalizer has {norm.Mean.Length} means; the examples {Shape.Format(exampleShape)} have {Shape.Numel(exampleShape)} features.");
        string mean = graph.Constant("normalizer.mean", norm.Mean, dims), inv = graph.Constant("normalizer.inv_std", norm.InverseStd, dims);
        return graph.Node("Mul", "normalizer", [graph.Node("Sub", "normalizer", [x, mean]), inv]);
    }
}
