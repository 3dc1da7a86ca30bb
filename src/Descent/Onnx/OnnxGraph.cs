using System.Runtime.InteropServices;

namespace Descent.Onnx;

/// <summary>An attribute of an ONNX node: an int, a float or a list of ints (the kinds the exported operators take).</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);
    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);
    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    // AttributeProto: name = 1, f = 2, i = 3, ints = 8, type = 20 (FLOAT = 1, INT = 2, INTS = 7).
    public ProtoWriter ToProto()
    {
        var a = new ProtoWriter().String(1, Name);
        if (Float is float f) a.Float(2, f).Int64(20, 1);
        else if (Int is long i) a.Int64(3, i).Int64(20, 2);
        else a.Int64s(8, Ints!).Int64(20, 7);
        return a;
    }
}

/// <summary>A node: an operator of the default ONNX domain applied to named values, giving one named value.</summary>
internal sealed record OnnxNode(string OpType, string[] Inputs, string Output, string Name, OnnxAttribute[] Attributes)
{
    /// <summary>The value the node writes (renamed to the graph's output name for the last node).</summary>
    public string Output { get; set; } = Output;

    // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    public ProtoWriter ToProto()
    {
        var n = new ProtoWriter();
        foreach (var i in Inputs) n.String(1, i);
        n.String(2, Output).String(3, Name).String(4, OpType);
        foreach (var a in Attributes) n.Message(5, a.ToProto());
        return n;
    }
}

/// <summary>
/// An ONNX graph under construction: nodes in execution order, constant tensors (initializers: weights, statistics,
/// shapes) and the single float input and output with a symbolic batch dimension. <see cref="ToModel"/> writes the
/// ModelProto. Field numbers are those of the ONNX IR specification (<c>onnx.proto</c>); TensorProto data types used:
/// FLOAT = 1, INT64 = 7.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>The IR version written: 8 (ONNX 1.10 to 1.12), the one that goes with opset 17.</summary>
    public const long IrVersion = 8;

    /// <summary>The operator set version of the default domain.</summary>
    public const long Opset = 17;

    /// <summary>A name not used yet, <paramref name="wanted"/> itself when free.</summary>
    public string Unique(string wanted)
    {
        string name = wanted;
        for (int k = 1; !_names.Add(name); k++) name = $"{wanted}_{k}";
        return name;
    }

    /// <summary>A float32 constant [dims] named <paramref name="name"/> (made unique); returns its name.</summary>
    public string Constant(string name, ReadOnlySpan<float> values, params int[] dims)
    {
        if (Shape.Numel(dims) != values.Length) throw new ArgumentException($"ONNX constant '{name}': {values.Length} values for shape {Shape.Format(dims)}.");
        name = Unique(name);
        _initializers.Add(Tensor(name, 1, dims).Bytes(9, MemoryMarshal.AsBytes(values)));   // raw_data = 9, little-endian
        return name;
    }

    /// <summary>An int64 constant [values.Length] (a shape for Reshape); returns its name.</summary>
    public string Int64Constant(string name, params long[] values)
    {
        name = Unique(name);
        _initializers.Add(Tensor(name, 7, values.Length).Bytes(9, MemoryMarshal.AsBytes<long>(values)));
        return name;
    }

    // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9.
    private static ProtoWriter Tensor(string name, long dataType, params int[] dims) =>
        new ProtoWriter().Int64s(1, dims.Select(d => (long)d)).Int64(2, dataType).String(8, name);

    /// <summary>Adds a node of <paramref name="opType"/> named <paramref name="name"/>; returns the name of its output.</summary>
    public string Node(string opType, string name, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = Unique(name.Length == 0 ? opType : $"{name}/{opType}");
        _nodes.Add(new OnnxNode(opType, inputs, output, output, attributes));
        return output;
    }

    /// <summary>
    /// The ModelProto: graph <paramref name="graphName"/> from <paramref name="input"/> [batch, …exampleShape] to the value
    /// <paramref name="result"/>, published as <paramref name="output"/> [batch, …outputShape]; "batch" is symbolic.
    /// </summary>
    public byte[] ToModel(string graphName, string input, int[] exampleShape, string result, string output, int[] outputShape, string producerVersion, string doc)
    {
        if (result == input) result = Node("Identity", "", [input]);
        _nodes.Last(n => n.Output == result).Output = output;
        // GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12.
        var graph = new ProtoWriter();
        foreach (var n in _nodes) graph.Message(1, n.ToProto());
        graph.String(2, graphName);
        foreach (var t in _initializers) graph.Message(5, t);
        graph.String(10, doc).Message(11, ValueInfo(input, exampleShape)).Message(12, ValueInfo(output, outputShape));
        // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8
        // (OperatorSetIdProto: domain = 1, version = 2; the default domain is the empty string).
        return Header().String(3, producerVersion)
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, "").Int64(2, Opset))
            .ToArray();
    }

    /// <summary>The first fields of every model we write: the IR version and the producer (how a file of ours is recognized).</summary>
    public static ProtoWriter Header() => new ProtoWriter().Int64(1, IrVersion).String(2, OnnxExport.Producer);

    // ValueInfoProto: name = 1, type = 2; TypeProto: tensor_type = 1; TypeProto.Tensor: elem_type = 1, shape = 2;
    // TensorShapeProto: dim = 1; Dimension: dim_value = 1, dim_param = 2.
    private static ProtoWriter ValueInfo(string name, int[] exampleShape)
    {
        var shape = new ProtoWriter().Message(1, new ProtoWriter().String(2, "batch"));
        foreach (int d in exampleShape) shape.Message(1, new ProtoWriter().Int64(1, d));
        var tensor = new ProtoWriter().Int64(1, 1).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensor));
    }
}
