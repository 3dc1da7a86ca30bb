using System.Globalization;
using Descent.Nn;
using Descent.Onnx;
using Descent.Optim;
using Descent.Training;

// Trains an MLP on a CSV file (features, then a "label" column), prints its test accuracy, and saves it as a
// checkpoint (safetensors + state.json) and as ONNX. Without an argument it trains on points.csv, written first if absent.
string csv = args.Length > 0 ? args[0] : "points.csv";
if (args.Length == 0 && !File.Exists(csv))
{
    var rng = new Random(1);
    var rows = Enumerable.Range(0, 600).Select(_ => (X: rng.NextDouble() * 4 - 2, Y: rng.NextDouble() * 4 - 2))
        .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:F4},{p.Y:F4},{(p.X * p.X + p.Y * p.Y < 1.5 ? "inside" : "outside")}"));
    File.WriteAllLines(csv, rows.Prepend("x,y,label"));
}

var job = TrainingJob.Create(new TrainConfig
{
    Data = $"csv:{csv},label=label",            // a seeded 20 % of the rows is the test split
    Model = ModelSpec.Parse("mlp:32,32"),        // Linear → ReLU → Linear → ReLU → Linear
    Optimizer = OptimizerSpec.Parse("adam:lr=0.01"),
    Epochs = 40,
    Seed = 1,
});
job.Run();
Console.WriteLine($"test accuracy {job.EvaluateTest().Accuracy:F3}");
job.SaveCheckpoint("model");                                  // model/model.safetensors, model/state.json
OnnxExport.Save(TrainedModel.Load("model"), "model.onnx");    // raw features in, logits out
Console.WriteLine("saved model/ and model.onnx");
