using System.CommandLine;
using Descent.Cli.Rendering;
using Descent.Onnx;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent export --onnx model.onnx --checkpoint DIR</c>: the checkpoint's model as an ONNX file (opset 17) that ONNX
/// Runtime runs: input <c>input</c> [batch, …example shape] of raw features (the training normalization is inside the
/// graph), output <c>logits</c> [batch, classes] (<c>output</c> for a regression). See <see cref="OnnxExport"/>.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var json = CliApp.JsonOption();
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder written by descent train.", Required = true };
        var onnx = new Option<string>("--onnx") { Description = "The ONNX file to write (replaced only if Descent wrote it).", Required = true };
        var cmd = new Command("export", "Export a checkpoint's model as an ONNX file (opset 17, dynamic batch) for ONNX Runtime.") { checkpoint, onnx, json };
        CliApp.SetAction(cmd, p =>
        {
            var model = EvaluateCommand.LoadModel(p.GetValue(checkpoint)!);
            string path = p.GetValue(onnx)!;
            OnnxExport.Save(model, path);
            int[] input = OnnxExport.InputShape(model);
            int outputs = model.IsRegression ? model.TargetNames.Count : model.ClassNames.Count;
            string outputName = model.IsRegression ? "output" : "logits";
            long bytes = new FileInfo(path).Length;
            if (p.GetValue(json))
            {
                CliApp.WriteJson(new { onnx = path, opset = OnnxExport.Opset, model = model.Config.Model.ToString(), input = new { name = "input", shape = new object[] { "batch" }.Concat(input.Cast<object>()) },
                    output = new { name = outputName, shape = new object[] { "batch", outputs } }, bytes });
                return 0;
            }
            CliApp.Console().MarkupLine(Markup.Escape(
                $"{path}: model {model.Config.Model} as ONNX opset {OnnxExport.Opset}, input 'input' [batch, {string.Join(", ", input)}] (raw features{(model.Normalizer is null ? "" : ", normalized inside")}), output '{outputName}' [batch, {outputs}], {Numbers.Plural(bytes, "byte")}"));
            return 0;
        });
        return cmd;
    }
}
