using System.Globalization;
using System.Management.Automation;
using Buildx.Core.Builds;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Shows build events on the pipeline thread: one progress activity per step under a parent
/// activity, step output to the Information stream, BuildKit warnings as warnings.
/// </summary>
internal sealed class BuildEventWriter(Cmdlet cmdlet, BuildProgressMode mode, string activity)
{
    private const int ParentActivityId = 1;
    private const string InformationSource = "Buildx";
    private readonly HashSet<string> completed = new(StringComparer.Ordinal);
    private readonly HashSet<string> announced = new(StringComparer.Ordinal);
    private int stepsSeen;

    public void Write(BuildEvent buildEvent)
    {
        switch (buildEvent)
        {
            case BuildWarningEvent warning:
                cmdlet.WriteWarning(warning.Step is null ? warning.Message : $"{warning.Message} ({warning.Step})");
                break;
            case ClientMessageEvent message:
                cmdlet.WriteVerbose(message.Message);
                break;
            case RawStatusEvent raw when mode == BuildProgressMode.RawJson:
                cmdlet.WriteInformation(new InformationRecord(raw.Json, InformationSource));
                break;
            case StepEvent step:
                WriteStep(step.Step);
                break;
            case StepLogEvent log when mode is BuildProgressMode.Auto or BuildProgressMode.Plain:
                var line = $"#{log.Step.Number} {log.Text}";
                if (mode == BuildProgressMode.Plain)
                {
                    Show(line);
                }
                else
                {
                    cmdlet.WriteInformation(new InformationRecord(line, InformationSource) { Tags = { "StepOutput" } });
                }

                break;
        }
    }

    public void Complete()
    {
        if (mode == BuildProgressMode.Auto)
        {
            cmdlet.WriteProgress(new ProgressRecord(ParentActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private void WriteStep(BuildStep step)
    {
        if (step.Number > stepsSeen)
        {
            stepsSeen = step.Number;
        }

        switch (mode)
        {
            case BuildProgressMode.Auto:
                cmdlet.WriteProgress(new ProgressRecord(ParentActivityId, activity, $"{completed.Count} of {stepsSeen} steps done"));
                var record = new ProgressRecord(ParentActivityId + step.Number, Truncate(step.Name), StepState(step))
                {
                    ParentActivityId = ParentActivityId,
                    RecordType = step.IsDone ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                };
                cmdlet.WriteProgress(record);
                if (step.IsDone)
                {
                    completed.Add(step.Digest);
                }

                break;
            case BuildProgressMode.Plain:
                if (announced.Add(step.Digest))
                {
                    Show($"#{step.Number} {step.Name}");
                }

                if (step.IsDone && completed.Add(step.Digest))
                {
                    Show($"#{step.Number} {StepState(step)}");
                }

                break;
        }
    }

    private static string StepState(BuildStep step)
    {
        if (step.Error is not null)
        {
            return "ERROR: " + step.Error;
        }

        if (step.Cached)
        {
            return "CACHED";
        }

        if (step.Completed is { } done && step.Started is { } started)
        {
            return string.Create(CultureInfo.InvariantCulture, $"DONE {(done - started).TotalSeconds:0.0}s");
        }

        return step.Started is null ? "waiting" : "running";
    }

    private void Show(string text) =>
        cmdlet.WriteInformation(new HostInformationMessage { Message = text }, ["PSHOST", InformationSource]);

    private static string Truncate(string text) => text.Length <= 100 ? text : text[..97] + "...";
}
