namespace Buildx.Core.Builds;

/// <summary>What the build reports as it runs; the cmdlet turns these into progress and streams.</summary>
public abstract record BuildEvent;

/// <summary>A step (BuildKit vertex) changed state.</summary>
public sealed record StepEvent(BuildStep Step) : BuildEvent;

/// <summary>A line a step wrote to stdout (1) or stderr (2).</summary>
public sealed record StepLogEvent(BuildStep Step, int Stream, string Text) : BuildEvent;

/// <summary>A warning BuildKit raised for a step (lint checks, deprecations).</summary>
public sealed record BuildWarningEvent(string Message, string? Step) : BuildEvent;

/// <summary>The status stream's raw JSON (for <c>-Progress rawjson</c>).</summary>
public sealed record RawStatusEvent(string Json) : BuildEvent;

/// <summary>A message from the client itself (exports, defaults).</summary>
public sealed record ClientMessageEvent(string Message) : BuildEvent;
