// guide:usings begin
using Descent;
using Descent.Data;
using Descent.Kernels;
using Descent.Losses;
using Descent.Nn;
using Descent.Optim;
using Descent.Serialization;
using Descent.Training;
// guide:usings end

namespace Descent.Library.Tests.Guide;

/// <summary>
/// The programs of docs/library.md: each region below is one ```csharp block of the guide, in the guide's order, and
/// <see cref="GuideTextTests"/> fails when the two differ. The asserts after each region check what the guide says it does.
/// </summary>
[Collection(GlobalRng.Collection)]
public class GuideTests
{
    private const string Folder = SklearnData.Folder;

    [Fact]
    public void Tensors()
    {
        // guide:tensors begin
        var x = Tensor.From(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });   // a copy; float[,] gives float32
        Console.WriteLine(x.Shape);                                     // [2, 3]
        Console.WriteLine(x[1, 2]);                                     // 6 (one index per dimension)
        var firstColumn = x.Select(1, 0);                               // x[:, 0]   → [2]
        var lastTwo = x.Slice(1, 1, 2);                                 // x[:, 1:3] → [2, 2]
        float[,] values = lastTwo.ToArray2D<float>();                   // back to .NET: { { 2, 3 }, { 5, 6 } }
        var doubles = Tensor.From(new double[] { 1, 2, 3 });            // double[] gives float64
        var buffer = new float[6];
        var view = Tensor.Wrap(buffer, 2, 3);                           // no copy: the tensor and the array share memory
        Console.WriteLine(x.Relu().Sum(1) * 2);                         // tensor([12, 30], float32)
        // guide:tensors end
        Assert.Equal("[2, 3]", x.Shape.ToString());
        Assert.Equal([1f, 4f], firstColumn.ToArray<float>());
        Assert.Equal(new float[,] { { 2, 3 }, { 5, 6 } }, values);
        Assert.Equal(DType.Float64, doubles.DType);
        view[0, 0] = 7;
        Assert.Equal(7f, buffer[0]);
        Assert.Equal("tensor([12, 30], float32)", (x.Relu().Sum(1) * 2).ToString());
    }

    [Fact]
    public void AutogradByHand()
    {
        // guide:autograd begin
        var w = Tensor.From(new double[] { 0.5, -1 });
        w.RequiresGrad = true;                                          // a leaf that collects ∂loss/∂w
        var input = Tensor.From(new double[] { 2, 3 });
        var loss = (w * input).Sum().Pow(2);                            // (w·x)² = 4
        loss.Backward();                                                // ∂loss/∂w = 2(w·x)·x
        Console.WriteLine(w.Grad);                                      // tensor([-8, -12], float64)
        // loss.Backward() again would throw: the graph is freed (pass retainGraph: true to keep it)
        using (Autograd.NoGrad())
        {
            var prediction = (w * input).Sum();                         // not recorded: no graph, no gradient
        }
        // guide:autograd end
        Assert.Equal([-8.0, -12.0], w.Grad!.ToArray<double>());
        Assert.Throws<InvalidOperationException>(() => loss.Backward());
    }

    [Fact]
    public void Modules()
    {
        // guide:modules begin
        Rng.ManualSeed(42);                                             // as torch.manual_seed: layers made without an Rng draw from it
        var model = new Sequential(new Linear(4, 16), new ReLU(), new Linear(16, 3));
        Console.WriteLine(model);                                       // Sequential(\n  (0): Linear(in_features=4, …
        Console.WriteLine(model.Summary(1, 4));                         // a table: layer, type, output shape, parameters
        var mlp = Mlp.Create(inputs: 4, hidden: [16], outputs: 3);      // the same architecture in one call
        var logits = model.Forward(Tensor.From(new float[] { 5.1f, 3.5f, 1.4f, 0.2f }));   // one example [4] → [3]
        foreach (var (name, p) in model.NamedParameters())
            Console.WriteLine($"{name} {p.Shape}");                     // 0.weight [16, 4], 0.bias [16], 2.weight [3, 16], 2.bias [3]
        model.To(DType.Float64);                                        // in place: an optimizer made before keeps working
        // guide:modules end
        Assert.Equal("[3]", logits.Shape.ToString());
        Assert.Equal(model.ToString(), mlp.ToString());
        Assert.Equal(DType.Float64, model.Parameters[0].DType);
        Assert.Contains("131", model.Summary(1, 4).ToString());
    }

    [SklearnFact]
    public void HandWrittenLoop()
    {
        // guide:loop begin
        var iris = Csv.Load(Path.Combine(Folder, "iris.csv"), new CsvOptions { SkipLines = 1, Header = false });
        var (train, test) = Split.TrainTest(iris, testFraction: 0.3, seed: 0);
        var scaler = Normalizer.Fit(train);                             // μ and σ of the training rows only
        (train, test) = (scaler.Transform(train), scaler.Transform(test));

        var model = Mlp.Create(inputs: 4, hidden: [16], outputs: 3, rng: new Rng(0));
        var optimizer = new Adam(model.Parameters, lr: 0.01);
        var lossFn = new CrossEntropyLoss();
        var loader = new DataLoader(train, batchSize: 16, shuffle: true, seed: 0);
        for (int epoch = 0; epoch < 100; epoch++)
            foreach (var batch in loader.Batches(epoch))                // batch.X [16, 4], batch.Labels [16]
            {
                optimizer.ZeroGrad();
                var loss = lossFn.Forward(model.Forward(batch.X), batch.Labels);
                loss.Backward();
                optimizer.Step();
            }
        var evaluation = Evaluator.Evaluate(model, test);               // eval mode, no graph: loss, accuracy, confusion
        Console.WriteLine($"iris test accuracy {evaluation.Accuracy:F3}");
        // guide:loop end
        Library.IrisAccuracy = evaluation.Accuracy;
        Assert.True(evaluation.Accuracy > 0.9, $"iris accuracy {evaluation.Accuracy}");
    }

    [SklearnFact]
    public void WithTheTrainer()
    {
        // guide:trainer begin
        var cancer = Csv.Load(Path.Combine(Folder, "breast_cancer.csv"), new CsvOptions { SkipLines = 1, Header = false });
        var (train, test) = Split.TrainTest(cancer, testFraction: 0.3, seed: 0);
        var scaler = Normalizer.Fit(train);
        (train, test) = (scaler.Transform(train), scaler.Transform(test));

        var model = Mlp.Create(inputs: 30, hidden: [32], outputs: 2, rng: new Rng(0));
        var trainer = new Trainer(model, new Adam(model.Parameters, lr: 1e-3), options: new TrainerOptions { Epochs = 30 });
        trainer.EpochCompleted += e => Console.WriteLine($"epoch {e.Epoch}: loss {e.TrainLoss:F4}, validation accuracy {e.ValidationAccuracy:F3}");
        trainer.Fit(new DataLoader(train, batchSize: 32, seed: 0), validation: test);
        var evaluation = Evaluator.Evaluate(model, test);
        double[] perClass = evaluation.PerClassAccuracy();              // malignant, benign
        // guide:trainer end
        Library.CancerAccuracy = evaluation.Accuracy;
        Assert.True(evaluation.Accuracy > 0.9, $"breast cancer accuracy {evaluation.Accuracy}");
        Assert.Equal(2, perClass.Length);
    }

    [SklearnFact]
    public void Regression()
    {
        // guide:regression begin
        var diabetes = Csv.Load(Path.Combine(Folder, "diabetes_data_raw.csv.gz"), new CsvOptions
        {
            Header = false, Separator = ' ', Task = CsvTask.Regression,
            TargetPath = Path.Combine(Folder, "diabetes_target.csv.gz"),   // scikit-learn keeps the targets in a second file
        });
        var (train, test) = Split.TrainTest(diabetes, testFraction: 0.2, seed: 0);
        var xScaler = Normalizer.Fit(train.FeaturesTensor());
        var yScaler = Normalizer.Fit(train.TargetsTensor()!);           // targets in σ units train faster than raw ones (25…346)
        Dataset Scaled(Dataset d) => Dataset.FromTensors(xScaler.Transform(d.FeaturesTensor()), yScaler.Transform(d.TargetsTensor()!));

        var model = Mlp.Create(inputs: 10, hidden: [32], outputs: 1, rng: new Rng(0));
        var trainer = new Trainer(model, new Adam(model.Parameters, lr: 1e-2), options: new TrainerOptions { Epochs = 20 }, loss: new MseLoss());
        trainer.Fit(new DataLoader(Scaled(train), batchSize: 32, seed: 0));

        var x = xScaler.Transform(test.FeaturesTensor());
        Tensor predicted;
        using (Autograd.NoGrad()) predicted = yScaler.InverseTransform(model.Eval().Forward(x));   // back in the targets' units
        var metrics = RegressionMetrics.Of(predicted, test.TargetsTensor()!);
        Console.WriteLine($"diabetes: R² {metrics.R2:F3}, RMSE {metrics.Rmse:F1}, MAE {metrics.Mae:F1}, MSE {metrics.Mse:F0}");
        // guide:regression end
        Library.DiabetesR2 = metrics.R2;
        Assert.True(metrics.R2 >= 0.45, $"diabetes R² {metrics.R2} after 20 epochs; expected ≥ 0.45");
    }

    [Fact]
    public void SaveAndLoad()
    {
        string dir = Directory.CreateTempSubdirectory("descent-guide-").FullName;
        try
        {
            Environment.CurrentDirectory = dir;
            // guide:save begin
            var model = Mlp.Create(inputs: 4, hidden: [16], outputs: 3, rng: new Rng(0));
            Safetensors.Write("iris.safetensors", model.StateDict());   // names as PyTorch's state dict: 0.weight, 0.bias, 2.weight, 2.bias

            var restored = Mlp.Create(inputs: 4, hidden: [16], outputs: 3);
            restored.LoadStateDict(Safetensors.Read("iris.safetensors").ToTensors());   // strict: a missing or extra name is an error
            // guide:save end
            var x = Tensor.From(new float[,] { { 1, 2, 3, 4 } });
            Assert.Equal(model.Forward(x).ToArray<float>(), restored.Forward(x).ToArray<float>());
        }
        finally
        {
            Environment.CurrentDirectory = Path.GetTempPath();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ThreadingAndDeterminism()
    {
        // guide:threads begin
        var model = Mlp.Create(inputs: 4, hidden: [64], outputs: 3, rng: new Rng(7));   // an explicit Rng wins over Rng.ManualSeed
        var x = Tensor.Randn(new Rng(1), 256, 4);
        var parallel = model.Forward(x);                                // kernels use Threading.MaxThreads (DESCENT_THREADS, else every core)
        Tensor serial;
        using (Threading.Limit(1)) serial = model.Forward(x);           // this thread's calls on one core until disposed
        Console.WriteLine(parallel.BitwiseEquals(serial));              // True: the thread count never changes a bit
        // guide:threads end
        Assert.True(parallel.BitwiseEquals(serial));
    }
}

/// <summary>What the guide's programs measured, for <see cref="SklearnComparisonTests"/>.</summary>
internal static class Library
{
    public static double IrisAccuracy = double.NaN, CancerAccuracy = double.NaN, DiabetesR2 = double.NaN;
}
