using System.Management.Automation;
using System.Reflection;

namespace Buildx.PowerShell.Loading;

/// <summary>
/// Makes the core's result types nameable in scripts. PowerShell resolves type literals such as
/// <c>[Buildx.Core.Builders.Builder]</c> only in the default load context, where the core is not,
/// so each public type the cmdlets emit or accept is registered under its full name.
/// </summary>
internal static class CoreTypeNames
{
    // Only the namespaces whose types reach users; store internals and wire types stay unnamed.
    private static readonly string[] PublicNamespaces =
    [
        "Buildx.Core.Builders", "Buildx.Core.BuildKit", "Buildx.Core.Builds", "Buildx.Core.Builds.Options", "Buildx.Core.Exports", "Buildx.Core.Errors",
    ];

    private static readonly Type? Accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
    private static readonly List<string> Registered = [];

    public static void Register(Assembly core)
    {
        var existing = Accelerators?.GetProperty("Get")?.GetValue(null) as IDictionary<string, Type>;
        var add = Accelerators?.GetMethod("Add", [typeof(string), typeof(Type)]);
        if (existing is null || add is null)
        {
            return;
        }

        foreach (var type in core.GetExportedTypes().Where(t => !t.IsNested && PublicNamespaces.Contains(t.Namespace)))
        {
            var name = type.FullName!;
            if (!existing.ContainsKey(name))
            {
                add.Invoke(null, [name, type]);
                Registered.Add(name);
            }
        }
    }

    public static void Unregister()
    {
        var remove = Accelerators?.GetMethod("Remove", [typeof(string)]);
        foreach (var name in Registered)
        {
            remove?.Invoke(null, [name]);
        }

        Registered.Clear();
    }
}
