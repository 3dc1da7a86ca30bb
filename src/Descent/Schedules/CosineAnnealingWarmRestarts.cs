namespace Descent.Schedules;

/// <summary>
/// SGDR (Loshchilov &amp; Hutter, 2017): cosine annealing restarted every period; the first period is
/// T₀ and each next one is T_mult times longer. Within a period, with t_cur steps since its start and
/// length T_i: α = η_min + (α₀ − η_min)·(1 + cos(π·t_cur / T_i)) / 2 — PyTorch's
/// <c>CosineAnnealingWarmRestarts(T_0, T_mult=1, eta_min=0)</c> at integer t.
/// </summary>
public sealed record CosineAnnealingWarmRestarts(long T0, long TMult = 1, double EtaMin = 0, bool PerStep = false) : ISchedule
{
    /// <inheritdoc/>
    public double LearningRate(double baseRate, long t)
    {
        if (T0 <= 0 || TMult < 1) throw new ArgumentException($"cosine-restarts: need t0 ≥ 1 and tmult ≥ 1, got t0={T0}, tmult={TMult}.");
        long period = T0, cur = t;
        while (cur >= period) { cur -= period; period *= TMult; }
        return EtaMin + (baseRate - EtaMin) * (1 + Math.Cos(Math.PI * cur / period)) / 2;
    }
}
