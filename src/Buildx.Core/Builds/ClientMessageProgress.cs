namespace Buildx.Core.Builds;

/// <summary>Reports a driver's steps (booting a node) as build events, in order and on the caller's thread.</summary>
internal sealed class ClientMessageProgress(Action<BuildEvent> onEvent) : IProgress<string>
{
    public void Report(string value) => onEvent(new ClientMessageEvent(value));
}
