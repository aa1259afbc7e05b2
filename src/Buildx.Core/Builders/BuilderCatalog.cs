using Buildx.Core.Docker;
using Buildx.Core.Errors;

namespace Buildx.Core.Builders;

/// <summary>
/// Every builder a user can name: for now one per Docker context, as <c>docker buildx ls</c>
/// lists them, with the current context's builder as the current builder.
/// </summary>
public sealed class BuilderCatalog(DockerContextResolver contexts)
{
    public IReadOnlyList<BuilderDefinition> List() =>
        contexts.ListContextNames().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(ForContext).ToArray();

    /// <summary>The builder used when none is named: <c>BUILDX_BUILDER</c>, else the current context's.</summary>
    public BuilderDefinition Current(IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var fromEnvironment = environment.GetVariable("BUILDX_BUILDER");
        return string.IsNullOrEmpty(fromEnvironment)
            ? ForContext(contexts.ResolveCurrent().Name)
            : Get(fromEnvironment);
    }

    public string CurrentName(IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var fromEnvironment = environment.GetVariable("BUILDX_BUILDER");
        return string.IsNullOrEmpty(fromEnvironment) ? contexts.ResolveCurrent().Name : fromEnvironment;
    }

    public BuilderDefinition Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = List().FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
        return found ?? throw new BuildxException(
            ErrorIds.BuilderNotFound,
            BuildxErrorKind.ObjectNotFound,
            $"No builder named '{name}'. Get-BuildxBuilder lists the builders there are.",
            name);
    }

    private static BuilderDefinition ForContext(string contextName) => new()
    {
        Name = contextName,
        Driver = Drivers.DockerDriver.DriverName,
        IsDockerContext = true,
        Nodes = [new NodeDefinition { Name = contextName, Endpoint = contextName }],
    };
}
