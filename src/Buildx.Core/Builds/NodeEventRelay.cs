namespace Buildx.Core.Builds;

/// <summary>
/// Merges the status of solves running on several nodes into one stream: step numbers become
/// unique across nodes (in order of appearance) and step names carry the node's platforms, as
/// buildx prefixes them (<c>[linux/arm64] RUN make</c>).
/// </summary>
internal sealed class NodeEventRelay(Action<BuildEvent> onEvent)
{
    private readonly Dictionary<(string Node, int Number), int> numbers = [];

    public Action<BuildEvent> For(string node, IReadOnlyList<string> platforms)
    {
        var prefix = $"[{string.Join(",", platforms)}] ";
        return buildEvent => onEvent(buildEvent switch
        {
            StepEvent step => new StepEvent(Renumber(node, prefix, step.Step)),
            StepLogEvent log => log with { Step = Renumber(node, prefix, log.Step) },
            BuildWarningEvent warning => warning with { Message = prefix + warning.Message },
            _ => buildEvent,
        });
    }

    /// <summary>A step of a finished node's result, numbered and named as its events were.</summary>
    public BuildStep Map(string node, IReadOnlyList<string> platforms, BuildStep step) =>
        Renumber(node, $"[{string.Join(",", platforms)}] ", step);

    private BuildStep Renumber(string node, string prefix, BuildStep step)
    {
        int number;
        lock (numbers)
        {
            if (!numbers.TryGetValue((node, step.Number), out number))
            {
                number = numbers.Count + 1;
                numbers[(node, step.Number)] = number;
            }
        }

        return step with { Number = number, Name = prefix + step.Name };
    }
}
