using System.Globalization;
using System.Text.Json.Serialization;

namespace Buildx.Core.Docker;

/// <summary>A container's <c>HostConfig.RestartPolicy</c>, parsed from docker's <c>name[:max-retries]</c> form.</summary>
public sealed record ContainerRestartPolicy(
    [property: JsonPropertyName("Name")] string Name,
    [property: JsonPropertyName("MaximumRetryCount")] int MaximumRetryCount = 0)
{
    public const string No = "no";
    public const string Always = "always";
    public const string UnlessStopped = "unless-stopped";
    public const string OnFailure = "on-failure";

    /// <summary>The accepted forms, for messages.</summary>
    public const string AcceptedForms = "no, always, unless-stopped, on-failure or on-failure:<max-retries>";

    public static IReadOnlyList<string> Names { get; } = [No, Always, UnlessStopped, OnFailure];

    /// <summary>
    /// Parses <c>name[:max-retries]</c>. docker's own parser is syntactic and leaves the rest to
    /// the engine; this one also checks what the engine would refuse, so the error comes before
    /// any container is created.
    /// </summary>
    /// <exception cref="FormatException">The text is not a restart policy; the message says why.</exception>
    public static ContainerRestartPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            // docker treats an empty policy as "not set", which the engine runs as "no".
            return new ContainerRestartPolicy(No);
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? text : text[..colon];
        var countText = colon < 0 ? string.Empty : text[(colon + 1)..];
        if (name.Length == 0)
        {
            throw new FormatException("no policy name before the colon");
        }

        if (!Names.Contains(name, StringComparer.Ordinal))
        {
            throw new FormatException($"unknown policy '{name}'");
        }

        var count = 0;
        if (countText.Length > 0)
        {
            if (!int.TryParse(countText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out count))
            {
                throw new FormatException("the maximum retry count must be an integer");
            }

            if (name != OnFailure)
            {
                throw new FormatException($"a maximum retry count only goes with {OnFailure}, not with {name}");
            }

            if (count < 0)
            {
                throw new FormatException("the maximum retry count cannot be negative");
            }
        }

        return new ContainerRestartPolicy(name, count);
    }

    public override string ToString() => MaximumRetryCount > 0 ? $"{Name}:{MaximumRetryCount}" : Name;
}
