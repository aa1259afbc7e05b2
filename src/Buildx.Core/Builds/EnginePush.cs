using Buildx.Core.Docker;
using Buildx.Core.Registry;

namespace Buildx.Core.Builds;

/// <summary>
/// Pushes the docker driver's images after the build, as buildx does when the engine cannot push
/// itself: the engine's moby exporter stores the image, then each name goes through
/// <c>POST /images/{name}/push</c> with that registry's login in <c>X-Registry-Auth</c>.
/// </summary>
internal static class EnginePush
{
    public static async Task<IReadOnlyList<string>> PushAsync(
        DockerEngineClient engine,
        IReadOnlyList<string> names,
        RegistryCredentialStore credentials,
        Action<BuildEvent> onEvent,
        CancellationToken cancellationToken)
    {
        var images = new DockerImages(engine);
        var pushed = new List<string>();
        foreach (var name in names)
        {
            onEvent(new ClientMessageEvent($"pushing {name} with docker"));
            var login = await credentials.GetAsync(RegistryHost.OfImage(name), cancellationToken).ConfigureAwait(false);
            await images.PushAsync(name, login, new Progress<string>(line => onEvent(new ClientMessageEvent(line))), cancellationToken).ConfigureAwait(false);
            pushed.Add(name);
        }

        return pushed;
    }
}
