using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace Buildx.PowerShell.Loading;

/// <summary>
/// Runs when the module is imported: sends the one assembly the cmdlets reference directly,
/// Buildx.Core, to the module's own load context. Its dependencies then resolve there too.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    internal const string CoreAssemblyName = "Buildx.Core";

    private static readonly string DependencyDirectory = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? AppContext.BaseDirectory,
        "Dependencies");

    private static readonly Lazy<BuildxLoadContext> LoadContext = new(() => new BuildxLoadContext(DependencyDirectory));

    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving += ResolveCore;
        CoreTypeNames.Register(LoadContext.Value.LoadFromAssemblyName(new AssemblyName(CoreAssemblyName)));
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        CoreTypeNames.Unregister();
        AssemblyLoadContext.Default.Resolving -= ResolveCore;
    }

    private static Assembly? ResolveCore(AssemblyLoadContext defaultContext, AssemblyName assemblyName) =>
        assemblyName.Name == CoreAssemblyName ? LoadContext.Value.LoadFromAssemblyName(assemblyName) : null;
}
