using System.Text;
using Buildx.Core.BuildKit.Protocol.Control;
using Google.Protobuf;

namespace Buildx.Core.Builds;

/// <summary>
/// Folds BuildKit's status stream into steps, and reports what changed. It also keeps each
/// step's last log lines, so a failure can show what the step printed.
/// </summary>
internal sealed class BuildStatusTracker
{
    private const int KeptLogLines = 20;
    private static readonly JsonFormatter RawFormatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    private readonly Dictionary<string, BuildStep> steps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<string>> logTails = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StringBuilder> partialLines = new(StringComparer.Ordinal);
    private readonly List<string> warnings = [];

    public IReadOnlyCollection<BuildStep> Steps => steps.Values;

    public IReadOnlyList<string> Warnings => warnings;

    public BuildStep? FailedStep => steps.Values.Where(s => !string.IsNullOrEmpty(s.Error)).OrderBy(s => s.Number).LastOrDefault();

    public IEnumerable<BuildEvent> Apply(StatusResponse status, bool includeRaw)
    {
        if (includeRaw)
        {
            yield return new RawStatusEvent(RawFormatter.Format(status));
        }

        foreach (var vertex in status.Vertexes)
        {
            var step = new BuildStep
            {
                Number = steps.TryGetValue(vertex.Digest, out var known) ? known.Number : steps.Count + 1,
                Digest = vertex.Digest,
                Name = vertex.Name,
                // BuildKit may repeat a vertex without the flag; once cached, it stays cached.
                Cached = vertex.Cached || (known?.Cached ?? false),
                Started = vertex.Started?.ToDateTimeOffset() ?? known?.Started,
                Completed = vertex.Completed?.ToDateTimeOffset() ?? known?.Completed,
                Error = string.IsNullOrEmpty(vertex.Error) ? null : vertex.Error,
            };
            steps[vertex.Digest] = step;
            yield return new StepEvent(step);
        }

        foreach (var log in status.Logs)
        {
            if (!steps.TryGetValue(log.Vertex, out var step))
            {
                continue;
            }

            foreach (var line in SplitLines(log.Vertex, log.Msg.ToStringUtf8()))
            {
                Remember(log.Vertex, line);
                yield return new StepLogEvent(step, (int)log.Stream, line);
            }
        }

        foreach (var warning in status.Warnings)
        {
            var text = warning.Short.ToStringUtf8().Trim();
            var step = steps.TryGetValue(warning.Vertex, out var s) ? s.Name : null;
            warnings.Add(text);
            yield return new BuildWarningEvent(text, step);
        }
    }

    public IReadOnlyList<string> LogTail(string digest) =>
        logTails.TryGetValue(digest, out var lines) ? [.. lines] : [];

    /// <summary>Logs arrive in arbitrary chunks: emit whole lines, keep the rest for the next chunk.</summary>
    private List<string> SplitLines(string vertex, string chunk)
    {
        if (!partialLines.TryGetValue(vertex, out var partial))
        {
            partial = new StringBuilder();
            partialLines[vertex] = partial;
        }

        partial.Append(chunk);
        var text = partial.ToString();
        var lastBreak = text.LastIndexOf('\n');
        if (lastBreak < 0)
        {
            return [];
        }

        partial.Clear().Append(text.AsSpan(lastBreak + 1));
        return [.. text[..lastBreak].Split('\n').Select(l => l.TrimEnd('\r'))];
    }

    private void Remember(string vertex, string line)
    {
        if (!logTails.TryGetValue(vertex, out var lines))
        {
            lines = new Queue<string>();
            logTails[vertex] = lines;
        }

        lines.Enqueue(line);
        while (lines.Count > KeptLogLines)
        {
            lines.Dequeue();
        }
    }
}
