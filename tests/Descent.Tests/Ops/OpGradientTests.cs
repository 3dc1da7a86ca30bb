using static Descent.Tests.TestSupport;

namespace Descent.Tests.Ops;

/// <summary>Every op's backward against central differences (float64), on both kernel sets.</summary>
public class OpGradientTests
{
    private static Tensor P(Rng r, params int[] s) => Param(r, s);

    public static TheoryData<string, string> Cases()
    {
        var d = new TheoryData<string, string>();
        foreach (var k in new[] { "reference", "fast" })
            foreach (var op in new[] { "add", "add_broadcast", "add_general_broadcast", "sub", "mul", "mul_broadcast", "div", "neg", "exp", "log", "sqrt",
                "pow", "square", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "elu", "gelu", "clamp", "sum", "sum_axis0", "sum_axis1",
                "mean", "mean_axis", "var", "var_axis", "max_axis", "min_axis", "max_all", "matmul", "matmul_ta", "matmul_tb", "matmul_tab",
                "linear", "linear_nobias", "softmax", "log_softmax", "softmax_axis0", "reshape", "flatten", "rows", "index_select", "concat0", "concat1",
                "transpose", "gather", "scalar_ops", "linear_relu", "linear_relu_residual", "dropout", "cross_entropy", "cross_entropy_smoothing_weights", "cross_entropy_sum",
                "batch_norm" })
                d.Add(k, op);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesNumericalGradient(string kernels, string op)
    {
        using var _ = Use(kernels);
        var r = new Rng(1234);
        var a = P(r, 3, 4);
        var b = P(r, 3, 4);
        var row = P(r, 4);
        var col = P(r, 3, 1);
        var pos = Tensor.Uniform(r, 0.5, 2.0, DType.Float64, 3, 4); pos.RequiresGrad = true;
        var w = Tensor.Normal(r, 0, 1, DType.Float64, 5, 4); w.RequiresGrad = true;
        var m45 = P(r, 4, 5);
        var bias = P(r, 5);
        // A fixed, non-trivial weighting so the loss is not symmetric in the outputs.
        Tensor L(Tensor y) => y.Mul(Tensor.Normal(new Rng(99), 0, 1, DType.Float64, y.ShapeArray)).Sum();
        switch (op)
        {
            case "add": AssertGradients(() => L(a + b), a, b); break;
            case "add_broadcast": AssertGradients(() => L(a + row), a, row); break;
            case "add_general_broadcast": AssertGradients(() => L(col + row), col, row); break;
            case "sub": AssertGradients(() => L(a - b), a, b); break;
            case "mul": AssertGradients(() => L(a * b), a, b); break;
            case "mul_broadcast": AssertGradients(() => L(a * col), a, col); break;
            case "div": AssertGradients(() => L(a / pos), a, pos); break;
            case "neg": AssertGradients(() => L(-a), a); break;
            case "exp": AssertGradients(() => L(a.Exp()), a); break;
            case "log": AssertGradients(() => L(pos.Log()), pos); break;
            case "sqrt": AssertGradients(() => L(pos.Sqrt()), pos); break;
            case "pow": AssertGradients(() => L(pos.Pow(1.7)), pos); break;
            case "square": AssertGradients(() => L(a.Square()), a); break;
            case "abs": AssertGradients(() => L(a.Abs()), a); break;
            case "tanh": AssertGradients(() => L(a.Tanh()), a); break;
            case "sigmoid": AssertGradients(() => L(a.Sigmoid()), a); break;
            case "relu": AssertGradients(() => L(a.Relu()), a); break;
            case "leaky_relu": AssertGradients(() => L(a.LeakyRelu(0.1)), a); break;
            case "elu": AssertGradients(() => L(a.Elu(0.7)), a); break;
            case "gelu": AssertGradients(() => L(a.Gelu()), a); break;
            case "clamp": AssertGradients(() => L(a.Clamp(-0.5, 0.6)), a); break;
            case "sum": AssertGradients(() => a.Sum().Mul(1.5), a); break;
            case "sum_axis0": AssertGradients(() => L(a.Sum(0)), a); break;
            case "sum_axis1": AssertGradients(() => L(a.Sum(1, keepDim: true)), a); break;
            case "mean": AssertGradients(() => a.Mean().Mul(2), a); break;
            case "mean_axis": AssertGradients(() => L(a.Mean(0)), a); break;
            case "var": AssertGradients(() => a.Var(), a); break;
            case "var_axis": AssertGradients(() => L(a.Var(0, correction: 0)), a); break;
            case "max_axis": AssertGradients(() => L(a.Max(1)), a); break;
            case "min_axis": AssertGradients(() => L(a.Min(0, keepDim: true)), a); break;
            case "max_all": AssertGradients(() => a.Max(), a); break;
            case "matmul": AssertGradients(() => L(a.MatMul(m45)), a, m45); break;
            case "matmul_ta": AssertGradients(() => L(a.MatMul(b, transposeA: true)), a, b); break;
            case "matmul_tb": AssertGradients(() => L(a.MatMul(w, transposeB: true)), a, w); break;
            case "matmul_tab": AssertGradients(() => L(m45.MatMul(a, transposeA: true, transposeB: true)), m45, a); break;
            case "linear": AssertGradients(() => L(a.Linear(w, bias)), a, w, bias); break;
            case "linear_relu": AssertGradients(() => L(a.Linear(w, bias, Descent.Kernels.GemmActivation.Relu)), a, w, bias); break;
            case "linear_relu_residual":   // Add hands the same ∂L/∂y to both branches: the ReLU mask must not touch a's share
                var w4 = P(r, 4, 4); var b4 = P(r, 4);
                AssertGradients(() => L(a.Linear(w4, b4, Descent.Kernels.GemmActivation.Relu) + a.Tanh()) + L(a.Sigmoid() + a.Linear(w4, b4, Descent.Kernels.GemmActivation.Relu)), a, w4, b4); break;
            case "dropout": AssertGradients(() => L(a.Dropout(0.4, new Rng(9))), a); break;   // the same mask each call: a fresh generator
            case "cross_entropy": AssertGradients(() => a.CrossEntropy([3, 0, 2]), a); break;
            case "cross_entropy_smoothing_weights":
                var cw = Tensor.From(new double[] { 0.5, 1, 2, 1.5 }, 4);
                AssertGradients(() => a.CrossEntropy([3, -100, 2], cw, labelSmoothing: 0.2), a); break;
            case "cross_entropy_sum": AssertGradients(() => L(a.CrossEntropy([1, 0, 2], reduction: Descent.Reduction.None)), a); break;
            case "batch_norm":
                var gamma = P(r, 4); var beta = P(r, 4);
                AssertGradients(() => L(a.BatchNormTrain(gamma, beta, 1e-5, out var bm, out var bv)), a, gamma, beta); break;
            case "linear_nobias": AssertGradients(() => L(a.Linear(w)), a, w); break;
            case "softmax": AssertGradients(() => L(a.Softmax()), a); break;
            case "log_softmax": AssertGradients(() => L(a.LogSoftmax(1)), a); break;
            case "softmax_axis0": AssertGradients(() => L(a.Softmax(0)), a); break;
            case "reshape": AssertGradients(() => L(a.Reshape(2, -1).Tanh()), a); break;
            case "flatten": AssertGradients(() => L(a.Reshape(3, 2, 2).Flatten()), a); break;
            case "rows": AssertGradients(() => L(a.Rows(1, 2)), a); break;
            case "index_select": AssertGradients(() => L(a.IndexSelect([2, 0, 2, 1])), a); break;
            case "concat0": AssertGradients(() => L(Descent.Ops.Concat([a, b], 0)), a, b); break;
            case "concat1": AssertGradients(() => L(Descent.Ops.Concat([a, col], 1)), a, col); break;
            case "transpose": AssertGradients(() => L(a.Transpose()), a); break;
            case "gather": AssertGradients(() => L(a.Gather([3, 0, 2])), a); break;
            case "scalar_ops": AssertGradients(() => L(2.0 - a * 3.0 + 1.5 / pos - a / 2.0), a, pos); break;
            default: throw new ArgumentException(op);
        }
    }
}
