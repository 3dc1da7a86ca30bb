using System.Globalization;

namespace Descent.Init;

/// <summary>
/// The text form of an initializer, for the command line: <c>name</c> or <c>name:arg1,arg2</c>.
/// </summary>
/// <remarks>
/// <code>
/// zeros | ones | constant:V
/// normal:STD | normal:MEAN,STD            N(mean, std²)
/// uniform:B | uniform:A,B                  U(−B, B) or U(A, B)
/// xavier[:GAIN] (= xavier-uniform)         U(±g·√(6/(fan_in + fan_out)))
/// xavier-normal[:GAIN]                     N(0, g²·2/(fan_in + fan_out))
/// he[:fan_in|fan_out][,SLOPE] (= he-normal) N(0, 2/((1 + a²)·fan))
/// he-uniform[:fan_in|fan_out][,SLOPE]      U(±√(6/((1 + a²)·fan)))
/// lecun (= lecun-normal) | lecun-uniform   N(0, 1/fan_in) | U(±√(3/fan_in))
/// orthogonal[:GAIN]
/// torch (= default, pytorch)               PyTorch's Linear default U(±1/√fan_in)
/// </code>
/// glorot is accepted for xavier and kaiming for he. Names are case-insensitive; '_' and '-' are the same.
/// </remarks>
public static class InitializerSpec
{
    /// <summary>The accepted names, for help texts and error messages.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "zeros", "ones", "constant:V", "normal:STD", "normal:MEAN,STD", "uniform:B", "uniform:A,B",
        "xavier[:GAIN]", "xavier-normal[:GAIN]", "he[:fan_in|fan_out][,SLOPE]", "he-uniform[:fan_in|fan_out][,SLOPE]",
        "lecun", "lecun-uniform", "orthogonal[:GAIN]", "torch",
    ];

    /// <summary>Parses <paramref name="text"/>; an unknown name or a bad argument throws ArgumentException quoting it and listing the accepted forms.</summary>
    public static Initializer Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        int colon = t.IndexOf(':');
        string name = (colon < 0 ? t : t[..colon]).Trim().ToLowerInvariant().Replace('_', '-');
        string[] args = colon < 0 ? [] : t[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        if (colon >= 0 && args.All(a => a.Length == 0)) throw Bad(text, "an argument is missing after ':'");

        double Num(int i)
        {
            if (!double.TryParse(args[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw Bad(text, $"'{args[i]}' is not a number");
            return v;
        }
        void Count(int min, int max)
        {
            if (args.Length < min || args.Length > max)
                throw Bad(text, $"'{name}' takes {(min == max ? min.ToString(CultureInfo.InvariantCulture) : $"{min} to {max}")} argument(s), got {args.Length}");
        }
        double OptionalGain() { Count(0, 1); return args.Length == 0 ? 1.0 : Num(0); }
        (FanMode Mode, double Slope) HeArgs()
        {
            Count(0, 2);
            var mode = FanMode.FanIn;
            double slope = 0;
            int i = 0;
            if (args.Length > 0)
            {
                string m = args[0].ToLowerInvariant().Replace('-', '_');
                if (m is "fan_in" or "fan_out") { mode = m == "fan_out" ? FanMode.FanOut : FanMode.FanIn; i = 1; }
            }
            if (args.Length > i + 1) throw Bad(text, "expected [fan_in|fan_out][,SLOPE]");
            if (args.Length > i) slope = Num(i);
            return (mode, slope);
        }

        try
        {
            switch (name)
            {
                case "zeros" or "zero": Count(0, 0); return Initializer.Zeros;
                case "ones" or "one": Count(0, 0); return Initializer.Ones;
                case "constant": Count(1, 1); return new Constant(Num(0));
                case "normal": Count(1, 2); return args.Length == 1 ? new Normal(0, Num(0)) : new Normal(Num(0), Num(1));
                case "uniform": Count(1, 2); return args.Length == 1 ? new Uniform(-Math.Abs(Num(0)), Math.Abs(Num(0))) : new Uniform(Num(0), Num(1));
                case "xavier" or "xavier-uniform" or "glorot" or "glorot-uniform": return VarianceScaling.XavierUniform(OptionalGain());
                case "xavier-normal" or "glorot-normal": return VarianceScaling.XavierNormal(OptionalGain());
                case "he" or "he-normal" or "kaiming" or "kaiming-normal": { var (m, a) = HeArgs(); return VarianceScaling.HeNormal(a, m); }
                case "he-uniform" or "kaiming-uniform": { var (m, a) = HeArgs(); return VarianceScaling.HeUniform(a, m); }
                case "lecun" or "lecun-normal": Count(0, 0); return VarianceScaling.LecunNormal();
                case "lecun-uniform": Count(0, 0); return VarianceScaling.LecunUniform();
                case "orthogonal": return new Orthogonal(OptionalGain());
                case "torch" or "default" or "pytorch": Count(0, 0); return VarianceScaling.TorchDefault();
            }
        }
        catch (ArgumentException e) when (!e.Message.StartsWith("Initializer '", StringComparison.Ordinal))
        {
            throw Bad(text, e.Message);
        }
        throw Bad(text, $"unknown initializer '{name}'");
    }

    private static ArgumentException Bad(string text, string why) =>
        new($"Initializer '{text}': {why}. Accepted: {string.Join(", ", Names)}.");
}
