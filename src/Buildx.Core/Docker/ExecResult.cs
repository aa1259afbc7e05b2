namespace Buildx.Core.Docker;

/// <summary>What a command run to completion in a container left behind.</summary>
public sealed record ExecResult(int ExitCode, string Stdout, string Stderr);
