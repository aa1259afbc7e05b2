namespace Buildx.Core.Builders;

/// <summary>What <c>Use-BuildxBuilder</c> writes: the store's <c>current</c> file, and with <c>-Default</c> a <c>defaults/</c> entry.</summary>
public sealed record BuilderSelectionPlan
{
    /// <summary>The builder selected; empty for the Docker context's own builder.</summary>
    public required string BuilderName { get; init; }

    /// <summary>The Docker endpoint the selection is filed under (the context name, or its host for <c>default</c>).</summary>
    public required string Key { get; init; }

    public bool Global { get; init; }

    public bool IsDefault { get; init; }

    public required string CurrentPath { get; init; }

    public string Describe() => BuilderName.Length == 0
        ? $"Select the Docker context's own builder for {Key} (write {CurrentPath})"
        : $"Select builder '{BuilderName}' for {Key}{(Global ? " and every other endpoint (global)" : string.Empty)}{(IsDefault ? ", as its default" : string.Empty)} (write {CurrentPath})";
}
