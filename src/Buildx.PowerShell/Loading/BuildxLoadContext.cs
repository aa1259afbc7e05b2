using System.Reflection;
using System.Runtime.Loader;

namespace Buildx.PowerShell.Loading;

/// <summary>
/// The module's own load context. Buildx.Core and everything it depends on (Grpc, Protobuf,
/// YamlDotNet, KubernetesClient) load here from the <c>Dependencies</c> folder, so other modules
/// that ship other versions of those assemblies keep working beside this one.
/// </summary>
internal sealed class BuildxLoadContext : AssemblyLoadContext
{
    private readonly string dependencyDirectory;

    public BuildxLoadContext(string dependencyDirectory)
        : base("Buildx", isCollectible: false)
    {
        this.dependencyDirectory = dependencyDirectory;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(dependencyDirectory, assemblyName.Name + ".dll");

        // Framework assemblies are not in the folder: returning null defers to the default context.
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
