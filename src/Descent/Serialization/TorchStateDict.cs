using Descent.Nn;

namespace Descent.Serialization;

/// <summary>
/// A PyTorch state dict saved as safetensors (<c>safetensors.torch.save_file(model.state_dict(), path)</c>, or the same
/// layout written by hand: names such as <c>0.weight</c>, <c>1.running_mean</c>, float32 or float64) loaded into a
/// Descent model built from a <see cref="ModelSpec"/>, whose layers carry PyTorch's state-dict names.
/// </summary>
/// <remarks>
/// Integer tensors are left out: PyTorch's batch norm keeps a <c>num_batches_tracked</c> counter (int64) that Descent does
/// not (it only matters for momentum = None). Half precision (F16, BF16) is refused: convert with <c>.float()</c> first.
/// </remarks>
public static class TorchStateDict
{
    /// <summary>The floating-point tensors of the safetensors file at <paramref name="path"/>, by name.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var contents = Safetensors.Read(path);
        foreach (var (name, t) in contents.Tensors)
            if (t.DType is "F16" or "BF16" or "F8_E4M3" or "F8_E5M2")
                throw new InvalidDataException($"{path}: tensor '{name}' is {t.DType}; Descent reads float32 or float64 weights (save them with .float() in PyTorch).");
        return contents.ToTensors();
    }

    /// <summary>
    /// Copies <paramref name="state"/> into <paramref name="model"/>'s parameters and buffers. Every tensor of the model
    /// must be there with its shape, and no other floating-point tensor; errors are one line naming the file
    /// (<paramref name="source"/>), the tensor, the shape found and the shape the model <paramref name="modelText"/> expects.
    /// </summary>
    public static void LoadInto(Module model, IReadOnlyDictionary<string, Tensor> state, string source, string modelText)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        var own = model.StateDict();
        string Expected() => string.Join(", ", own.Select(t => $"{t.Key} {Shape.Format(t.Value.Shape)}"));
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{source}: no tensor {string.Join(", ", missing.Select(m => $"'{m}'"))} for model '{modelText}', which expects {Expected()}; the file has {string.Join(", ", state.Keys)}.");
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"{source}: tensor {string.Join(", ", unexpected.Select(u => $"'{u}'"))} has no place in model '{modelText}', which expects {Expected()}; is --model the network the weights were trained as?");
        foreach (var (name, target) in own)
        {
            var t = state[name];
            if (!Shape.Equal(t.Shape, target.Shape))
                throw new InvalidDataException($"{source}: tensor '{name}' is {Shape.Format(t.Shape)}, but model '{modelText}' expects {Shape.Format(target.Shape)} there; is --model the network the weights were trained as?");
        }
        foreach (var (name, target) in own) target.CopyFrom(state[name].To(target.DType));
    }
}
