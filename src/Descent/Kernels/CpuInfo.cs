using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Descent.Kernels;

/// <summary>
/// What the processor reports about itself: its model name, family and model numbers, and its data cache sizes
/// (L1d, L2, L3 of the first core). Read once per process, from Linux's <c>/sys/devices/system/cpu/cpu0/cache</c>
/// and <c>/proc/cpuinfo</c>, else from CPUID (leaf 4 on Intel, 0x8000001D on AMD). A cache that neither reports is
/// 0 here, and <see cref="GemmBlocking"/> falls back to a common size for it.
/// </summary>
internal sealed record CpuInfo(string ModelName, int Family, int Model, long L1DataBytes, long L2Bytes, long L3Bytes, string CacheSource)
{
    private static CpuInfo? _current;

    /// <summary>This machine's processor (read on first use).</summary>
    public static CpuInfo Current => _current ??= Read();

    /// <summary>"AMD EPYC (family 25, model 1)"; the numbers only where CPUID gives them.</summary>
    public string Describe() => Family > 0 ? $"{ModelName} (family {Family}, model {Model})" : ModelName;

    /// <summary>"L1d 32 KiB, L2 512 KiB, L3 32 MiB" (a cache not reported: "?").</summary>
    public string DescribeCaches() => $"L1d {Size(L1DataBytes)}, L2 {Size(L2Bytes)}, L3 {Size(L3Bytes)}";

    private static string Size(long bytes) =>
        bytes <= 0 ? "?" : bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes >> 10} KiB";

    private static CpuInfo Read()
    {
        var (family, model) = FamilyAndModel();
        string name = BrandString() ?? ProcCpuInfoName() ?? RuntimeInformation.ProcessArchitecture.ToString();
        var (l1, l2, l3) = SysfsCaches();
        string source = "sysfs";
        if (l1 <= 0 && l2 <= 0 && l3 <= 0) { (l1, l2, l3) = CpuidCaches(); source = l1 > 0 || l2 > 0 || l3 > 0 ? "cpuid" : "none"; }
        return new CpuInfo(name, family, model, l1, l2, l3, source);
    }

    /// <summary>Display family and model from CPUID leaf 1 (0, 0 where there is no CPUID).</summary>
    private static (int Family, int Model) FamilyAndModel()
    {
        if (!X86Base.IsSupported) return (0, 0);
        int eax = X86Base.CpuId(1, 0).Eax;
        int baseFamily = (eax >> 8) & 0xF, baseModel = (eax >> 4) & 0xF;
        int family = baseFamily == 0xF ? baseFamily + ((eax >> 20) & 0xFF) : baseFamily;
        int model = baseFamily is 0x6 or 0xF ? (((eax >> 16) & 0xF) << 4) | baseModel : baseModel;
        return (family, model);
    }

    /// <summary>The 48-byte brand string of CPUID leaves 0x80000002–4, trimmed (null where absent).</summary>
    private static string? BrandString()
    {
        if (!X86Base.IsSupported || (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax < 0x80000004) return null;
        var bytes = new byte[48];
        for (int i = 0; i < 3; i++)
        {
            var (a, b, c, d) = X86Base.CpuId(unchecked((int)0x80000002) + i, 0);
            foreach (var (reg, at) in new[] { (a, 0), (b, 4), (c, 8), (d, 12) })
                BitConverter.TryWriteBytes(bytes.AsSpan(16 * i + at, 4), reg);
        }
        string s = Encoding.ASCII.GetString(bytes).TrimEnd('\0').Trim();
        return s.Length == 0 ? null : s;
    }

    private static string? ProcCpuInfoName()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int at and >= 0)
                    return line[(at + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>Data/unified cache sizes by level from sysfs (0 where missing).</summary>
    private static (long L1, long L2, long L3) SysfsCaches()
    {
        long l1 = 0, l2 = 0, l3 = 0;
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        try
        {
            if (!Directory.Exists(root)) return (0, 0, 0);
            foreach (var dir in Directory.GetDirectories(root, "index*"))
            {
                string type = File.ReadAllText(Path.Combine(dir, "type")).Trim();
                if (type == "Instruction") continue;
                int level = int.Parse(File.ReadAllText(Path.Combine(dir, "level")).Trim(), CultureInfo.InvariantCulture);
                long size = ParseSize(File.ReadAllText(Path.Combine(dir, "size")).Trim());
                if (level == 1) l1 = size; else if (level == 2) l2 = size; else if (level == 3) l3 = size;
            }
        }
        catch (IOException) { return (0, 0, 0); }
        catch (UnauthorizedAccessException) { return (0, 0, 0); }
        catch (FormatException) { return (0, 0, 0); }
        return (l1, l2, l3);
    }

    /// <summary>"32K", "1M", "512" (bytes) → bytes; 0 when unreadable.</summary>
    internal static long ParseSize(string s)
    {
        if (s.Length == 0) return 0;
        long unit = char.ToUpperInvariant(s[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        string digits = unit == 1 ? s : s[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v * unit : 0;
    }

    /// <summary>
    /// Cache sizes from CPUID's deterministic cache parameters (Intel leaf 4, AMD leaf 0x8000001D): ways × partitions
    /// × line size × sets for each data or unified cache.
    /// </summary>
    private static (long L1, long L2, long L3) CpuidCaches()
    {
        if (!X86Base.IsSupported) return (0, 0, 0);
        var vendor = X86Base.CpuId(0, 0);
        bool amd = vendor.Ebx == 0x68747541;   // "Auth"enticAMD
        int leaf = amd ? unchecked((int)0x8000001D) : 4;
        if (amd && (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax < 0x8000001D) return (0, 0, 0);
        if (!amd && vendor.Eax < 4) return (0, 0, 0);
        long l1 = 0, l2 = 0, l3 = 0;
        for (int sub = 0; sub < 16; sub++)
        {
            var (a, b, c, _) = X86Base.CpuId(leaf, sub);
            int type = a & 0x1F;
            if (type == 0) break;
            if (type == 2) continue;   // instruction cache
            int level = (a >> 5) & 0x7;
            long size = (long)(((b >> 22) & 0x3FF) + 1) * (((b >> 12) & 0x3FF) + 1) * ((b & 0xFFF) + 1) * ((long)(uint)c + 1);
            if (level == 1) l1 = size; else if (level == 2) l2 = size; else if (level == 3) l3 = size;
        }
        return (l1, l2, l3);
    }
}
