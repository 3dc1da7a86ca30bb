using FsCheck;
using FsCheck.Fluent;

namespace Descent.Tests.Properties;

/// <summary>One change to a valid file: what a torn write, a bad disk or a careless edit does to it.</summary>
/// <param name="Kind">0 truncate, 1 flip a bit, 2 overwrite a header byte, 3 insert bytes, 4 delete bytes, 5 flip several bits.</param>
public sealed record Mutation(int Kind, int Position, byte Value, int Length)
{
    /// <summary>The mutated copy of <paramref name="valid"/>.</summary>
    public byte[] Apply(byte[] valid)
    {
        var b = valid.ToList();
        int Pos(int limit) => limit <= 0 ? 0 : Position % limit;
        switch (Kind)
        {
            case 0: b.RemoveRange(Pos(b.Count + 1), b.Count - Pos(b.Count + 1)); break;
            case 1: if (b.Count > 0) b[Pos(b.Count)] ^= (byte)(1 << (Value % 8)); break;
            case 2: if (b.Count > 0) b[Pos(Math.Min(b.Count, 64))] = Value; break;
            case 3: b.InsertRange(Pos(b.Count + 1), Enumerable.Repeat(Value, 1 + Length % 16)); break;
            case 4: { int p = Pos(b.Count + 1); b.RemoveRange(p, Math.Min(1 + Length % 16, b.Count - p)); break; }
            default:
                for (int k = 0; k < 1 + Length % 8 && b.Count > 0; k++) b[(int)((Position + 7919L * k) % b.Count)] ^= (byte)(1 << ((Value + k) % 8));
                break;
        }
        return b.ToArray();
    }

    public override string ToString() => Kind switch
    {
        0 => $"truncate at {Position}",
        1 => $"flip bit {Value % 8} of byte {Position}",
        2 => $"set header byte {Position} to 0x{Value:X2}",
        3 => $"insert {1 + Length % 16} × 0x{Value:X2} at {Position}",
        4 => $"delete {1 + Length % 16} bytes at {Position}",
        _ => $"flip {1 + Length % 8} bits from {Position}",
    };

    /// <summary>Mutations of a file: header edits (the first 64 bytes) as often as changes anywhere.</summary>
    public static Arbitrary<Mutation> Arbitrary { get; } =
        (from kind in Gen.Choose(0, 5)
         from position in Gen.Frequency((1, Gen.Choose(0, 63)), (1, Gen.Choose(0, 1 << 20)))
         from value in Gen.Choose(0, 255)
         from length in Gen.Choose(0, 64)
         select new Mutation(kind, position, (byte)value, length)).ToArbitrary();
}

/// <summary>How the property tests run: FsCheck with a fixed number of cases, and each case under a hang guard.</summary>
public static class PropertyRun
{
    /// <summary>Checks <paramref name="property"/> on <paramref name="cases"/> random cases; a failure throws with the shrunk counterexample.</summary>
    /// <remarks>
    /// The cases come from a fixed seed, so a run — CI's included — is reproducible; set DESCENT_PROPERTY_SEED=random to
    /// explore new cases (a failure prints the seed that replays it).
    /// </remarks>
    public static void Check(Property property, int cases)
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(cases).WithQuietOnSuccess(true);
        if (Environment.GetEnvironmentVariable("DESCENT_PROPERTY_SEED") != "random")
            config = config.WithReplay(Microsoft.FSharp.Core.FSharpOption<Replay>.Some(new Replay(new Rnd(0x5EED_2026UL, 0x9E37_79B9_7F4A_7C15UL), Microsoft.FSharp.Core.FSharpOption<int>.None)));
        FsCheck.Check.One(config, property);
    }

    /// <summary>
    /// Runs <paramref name="read"/> and returns the exception it threw (null if none). A read still running after a
    /// minute is a hang — a generous guard against an endless loop, not a timing test.
    /// </summary>
    public static Exception? Outcome(Action read)
    {
        var task = Task.Run(read);
        try
        {
            if (!task.Wait(TimeSpan.FromMinutes(1))) throw new TimeoutException("the reader hung on this input");
            return null;
        }
        catch (AggregateException e) { return e.InnerException; }
    }

    /// <summary>True when <paramref name="e"/> is none or one of the <paramref name="clear"/> types; else fails with it.</summary>
    public static bool IsClear(Exception? e, string input, params Type[] clear)
    {
        if (e is null || clear.Any(t => t.IsInstanceOfType(e))) return true;
        Assert.Fail($"{input}: unexpected {e.GetType().Name}: {e}");
        return false;
    }
}
