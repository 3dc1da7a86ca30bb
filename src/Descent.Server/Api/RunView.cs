using System.Text.Json;
using Descent.Storage;

namespace Descent.Server.Api;

/// <summary>A run as the pages show it: the record with its configuration and results parsed, its duration and best accuracy
/// (the best validation accuracy of its epochs; without a validation split, the test accuracy at the end).</summary>
internal sealed record RunView(
    long Id, string? Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, double DurationSeconds, int EpochCount,
    double? BestAccuracy, JsonElement? Config, JsonElement? Results, string? Message, string? CheckpointPath,
    IReadOnlyList<IReadOnlyDictionary<string, double>>? Epochs)
{
    /// <summary>The full view of a run (with every epoch's metrics).</summary>
    public static RunView Of(RunRecord r, bool withEpochs = true)
    {
        var results = Parse(r.ResultsJson);
        double? best = r.Epochs.Select(e => e.Metrics.GetValueOrDefault("val_accuracy", double.NaN)).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max() is var b && double.IsFinite(b) ? b : null;
        if (best is null && results is { ValueKind: JsonValueKind.Object } res && res.TryGetProperty("test_accuracy", out var t) && t.ValueKind == JsonValueKind.Number)
            best = t.GetDouble();   // no validation split: the test accuracy at the end
        var end = r.FinishedAt ?? (r.Status == RunStatus.Running ? DateTimeOffset.UtcNow : r.UpdatedAt);
        return new RunView(r.Id, r.Name, RunStore.StatusName(r.Status), r.CreatedAt, r.FinishedAt, (end - r.CreatedAt).TotalSeconds, r.Epochs.Count, best,
            Parse(r.ConfigJson), results, r.Message, r.CheckpointPath, withEpochs ? r.Epochs.Select(e => e.Metrics).ToList() : null);
    }

    /// <summary>What changes when the run moves on: its status, its last write and its epoch count.</summary>
    public static string Version(RunRecord r) => $"{r.Status}|{r.UpdatedAt.UtcTicks}|{r.Epochs.Count}";

    private static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException) { return null; }   // the store checks JSON on write; an old or hand-edited record shows without it
    }
}
