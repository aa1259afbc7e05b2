using Buildx.Core.Drivers.Remote;
using Buildx.Core.Errors;
using Buildx.Core.Text;

namespace Buildx.Core.Drivers;

/// <summary>
/// The drivers buildx has, in the order buildx lists them. Builders of any of them are listed;
/// only the implemented ones can be created, changed and started.
/// </summary>
public static class KnownDrivers
{
    public const string KubernetesName = "kubernetes";
    public const string RemoteName = "remote";

    public static DriverDescriptor Docker { get; } = new(
        DockerDriver.DriverName,
        "The Docker engine's embedded BuildKit; one builder per Docker context, none can be created.",
        allowsInstances: false,
        isImplemented: true,
        options: [],
        validate: null);

    public static DriverDescriptor DockerContainer { get; } = new(
        DockerContainerDriver.DriverName,
        "BuildKit in a container (buildx_buildkit_<node>) on a Docker engine.",
        allowsInstances: true,
        isImplemented: true,
        options: DockerContainerDriverOptions.Declared,
        validate: options => DockerContainerDriverOptions.Parse(options));

    public static DriverDescriptor Kubernetes { get; } = new(
        KubernetesName,
        "BuildKit pods of a Deployment (or StatefulSet) in a Kubernetes cluster, reached by exec of buildctl dial-stdio.",
        allowsInstances: true,
        isImplemented: true,
        options: Buildx.Core.Kubernetes.KubernetesDriverOptions.Declared,
        validate: options => Buildx.Core.Kubernetes.KubernetesDriverOptions.Parse(options));

    public static DriverDescriptor Remote { get; } = new(
        RemoteName,
        "A BuildKit daemon that is already running, reached at its address: unix://, tcp:// (plain or TLS), npipe://, docker-container://, kube-pod://.",
        allowsInstances: true,
        isImplemented: true,
        options: RemoteDriverOptions.Declared,
        validate: options => RemoteDriverOptions.Parse(options));

    public static IReadOnlyList<DriverDescriptor> All { get; } = [Docker, DockerContainer, Kubernetes, Remote];

    public static DriverDescriptor? Find(string name) =>
        All.FirstOrDefault(driver => string.Equals(driver.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The driver by name; an unknown name is an <see cref="ErrorIds.UnknownDriver"/> error with a did-you-mean.</summary>
    public static DriverDescriptor Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Find(name) is { } driver)
        {
            return driver;
        }

        var suggestion = ClosestMatch.Find(name, All.Select(d => d.Name));
        throw new BuildxException(
            ErrorIds.UnknownDriver,
            BuildxErrorKind.InvalidArgument,
            $"'{name}' is not a driver.{(suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?")} Drivers: {string.Join(", ", All.Select(d => d.Name))}.",
            name);
    }
}
