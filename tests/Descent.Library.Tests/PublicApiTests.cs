using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Descent.Library.Tests;

/// <summary>
/// The public API of Descent.dll, one line per public type and member, must equal <c>PublicApi.approved.txt</c>: a change
/// to the surface is deliberate (review the diff, then copy the received file over the approved one). On a difference the
/// test writes <c>PublicApi.received.txt</c> beside the approved file.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void PublicApiIsTheApprovedOne()
    {
        string approvedPath = Path.Combine(Path.GetDirectoryName(ThisFile())!, "PublicApi.approved.txt");
        string receivedPath = Path.ChangeExtension(approvedPath, null).Replace(".approved", ".received") + ".txt";
        string received = Describe(typeof(Tensor).Assembly);
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).Replace("\r", "") : "";
        if (received == approved) { File.Delete(receivedPath); return; }
        File.WriteAllText(receivedPath, received);
        var a = approved.Split('\n').ToHashSet();
        var r = received.Split('\n').ToHashSet();
        var added = r.Except(a).Take(15).Select(l => "+ " + l);
        var removed = a.Except(r).Take(15).Select(l => "- " + l);
        Assert.Fail($"The public API changed ({r.Except(a).Count()} lines added, {a.Except(r).Count()} removed); if deliberate, copy {receivedPath} over {approvedPath}.\n" +
            string.Join("\n", removed.Concat(added)));
    }

    [Fact]
    public void KernelsAndInternalsAreNotPublic()
    {
        var types = typeof(Tensor).Assembly.GetExportedTypes();
        var kernels = types.Where(t => t.Namespace == "Descent.Kernels" && t.Name != "Threading" && t.DeclaringType?.Name != "Threading").Select(t => t.FullName).ToList();
        Assert.Empty(kernels);
        Assert.DoesNotContain(types, t => t.Namespace is "Descent.Lab" or "Descent.Plotting");
    }

    /// <summary>Every public type (sorted by full name) with its public and protected members, in a stable text form.</summary>
    internal static string Describe(Assembly assembly)
    {
        var sb = new StringBuilder();
        foreach (var t in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            sb.Append(Kind(t)).Append(' ').Append(Name(t));
            if (t.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) && !typeof(Delegate).IsAssignableFrom(t)) sb.Append(" : ").Append(Name(b));
            sb.Append('\n');
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = t.GetMembers(flags).Where(Visible).Select(Member).Where(m => m.Length > 0).Distinct().OrderBy(m => m, StringComparer.Ordinal);
            foreach (var m in members) sb.Append("  ").Append(m).Append('\n');
        }
        return sb.ToString();
    }

    private static bool Visible(MemberInfo m) => m switch
    {
        MethodBase mb => (mb.IsPublic || mb.IsFamily || mb.IsFamilyOrAssembly) && !(mb is MethodInfo { IsSpecialName: true } mi && (mi.Name.StartsWith("get_") || mi.Name.StartsWith("set_") || mi.Name.StartsWith("add_") || mi.Name.StartsWith("remove_"))),
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        EventInfo e => e.AddMethod is { } a && (a.IsPublic || a.IsFamily),
        _ => false,
    };

    private static string Member(MemberInfo m) => m switch
    {
        ConstructorInfo c => $"ctor({Params(c)})",
        MethodInfo mi => $"{(mi.IsStatic ? "static " : "")}{Name(mi.ReturnType)} {mi.Name}{(mi.IsGenericMethod ? "<" + string.Join(", ", mi.GetGenericArguments().Select(Name)) + ">" : "")}({Params(mi)})",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name}{(p.GetIndexParameters().Length > 0 ? "[" + string.Join(", ", p.GetIndexParameters().Select(i => Name(i.ParameterType))) + "]" : "")} {{ {(p.GetMethod is { } g && (g.IsPublic || g.IsFamily) ? "get; " : "")}{(p.SetMethod is { } s && (s.IsPublic || s.IsFamily) ? (s.ReturnParameter.GetRequiredCustomModifiers().Any(x => x.Name == "IsExternalInit") ? "init; " : "set; ") : "")}}}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        _ => "",
    };

    private static string Params(MethodBase m) => string.Join(", ", m.GetParameters().Select(p =>
        (p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : "") + Name(p.ParameterType) + " " + p.Name + (p.HasDefaultValue ? " = " + (p.DefaultValue?.ToString() ?? "null") : "")));

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : typeof(Delegate).IsAssignableFrom(t) ? "delegate" : t.IsValueType ? "struct"
            : t.IsAbstract && t.IsSealed ? "static class" : t.IsAbstract ? "abstract class" : t.IsSealed ? "sealed class" : "class";

    private static string Name(Type t)
    {
        if (t.IsByRef) return Name(t.GetElementType()!);
        if (t.IsArray) return Name(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        if (t.IsGenericParameter) return t.Name;
        string name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : (t.Namespace is null ? "" : t.Namespace + ".") + t.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        if (t.IsGenericType) name += "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
        return name;
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
