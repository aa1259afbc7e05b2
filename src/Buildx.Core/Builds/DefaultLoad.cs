using Buildx.Core.Builders;
using Buildx.Core.Drivers;
using Buildx.Core.Text;

namespace Buildx.Core.Builds;

/// <summary>
/// The <c>default-load</c> driver option of docker-container, kubernetes and remote nodes: a build
/// with no output, <c>-Load</c> or <c>-Push</c> loads its image into the Docker engine, as buildx
/// adds a docker output then. (The docker driver loads by default anyway.)
/// </summary>
internal static class DefaultLoad
{
    public const string Key = "default-load";

    public static BuildRequest Apply(BuildRequest request, string driver, NodeDefinition node) =>
        driver != DockerDriver.DriverName
        && request.Outputs.Count == 0 && !request.Load && !request.Push
        && node.DriverOptions.TryGetValue(Key, out var value) && GoBool.TryParse(value, out var on) && on
            ? request with { Load = true }
            : request;
}
