using System.Text.RegularExpressions;
using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// One named build context (<c>--build-context name=value</c>): a Dockerfile's <c>FROM name</c> or
/// <c>COPY --from=name</c> then reads the directory, image or URL instead.
/// </summary>
public sealed partial record NamedContext(string Name, NamedContextKind Kind, string Value)
{
    internal const string Accepted =
        "Give a hashtable such as @{ assets='./assets'; base='docker-image://busybox:latest' } or strings 'name=./dir', 'name=docker-image://ref', 'name=target:stage', 'name=https://host/repo.git'.";

    private const string ImageScheme = "docker-image://";
    private const string OciLayoutScheme = "oci-layout://";

    /// <summary>The local (FileSync) name a directory context is sent under; buildx renames the two reserved ones.</summary>
    public string LocalName => Name is "context" or "dockerfile" ? "_" + Name : Name;

    /// <summary>The <c>context:&lt;name&gt;</c> frontend attribute value.</summary>
    public string AttributeValue => Kind == NamedContextKind.Directory ? "local:" + LocalName : Value;

    public static NamedContext Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw OptionText.Invalid(ErrorIds.InvalidBuildContext, "BuildContext", $"'{text}' is not name=value. {Accepted}");
        }

        return Create(text[..equals], text[(equals + 1)..]);
    }

    /// <summary>Classifies the value; directory paths are returned as given (the caller resolves them).</summary>
    public static NamedContext Create(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        var normalized = NormalizeName(name.Trim());
        value = value.Trim();
        if (value.Length == 0)
        {
            throw OptionText.Invalid(ErrorIds.InvalidBuildContext, "BuildContext", $"the context '{name}' has no value. {Accepted}");
        }

        if (value.StartsWith(ImageScheme, StringComparison.Ordinal))
        {
            if (value.Length == ImageScheme.Length)
            {
                throw OptionText.Invalid(ErrorIds.InvalidBuildContext, "BuildContext", $"'{value}' names no image. {Accepted}");
            }

            return new NamedContext(normalized, NamedContextKind.Image, value);
        }

        if (value.StartsWith(OciLayoutScheme, StringComparison.Ordinal))
        {
            return new NamedContext(normalized, NamedContextKind.OciLayout, value);
        }

        if (value.StartsWith("target:", StringComparison.Ordinal) || IsRemoteUrl(value))
        {
            return new NamedContext(normalized, NamedContextKind.Remote, value);
        }

        return new NamedContext(normalized, NamedContextKind.Directory, value);
    }

    /// <summary>buildx keys contexts by the familiar image name: <c>docker.io/library/alpine:latest</c> is <c>alpine</c>.</summary>
    internal static string NormalizeName(string name)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw OptionText.Invalid(ErrorIds.InvalidBuildContext, "BuildContext",
                $"'{name}' is not a valid context name: use lower-case image-name syntax such as 'assets', 'base-image' or 'docker.io/library/alpine:3.19'.");
        }

        var familiar = name;
        foreach (var prefix in new[] { "docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/" })
        {
            if (familiar.StartsWith(prefix, StringComparison.Ordinal))
            {
                familiar = familiar[prefix.Length..];
                break;
            }
        }

        return familiar.EndsWith(":latest", StringComparison.Ordinal) ? familiar[..^":latest".Length] : familiar;
    }

    private static bool IsRemoteUrl(string value) =>
        value.StartsWith("https://", StringComparison.Ordinal) || value.StartsWith("http://", StringComparison.Ordinal)
        || value.StartsWith("git://", StringComparison.Ordinal) || value.StartsWith("git@", StringComparison.Ordinal)
        || value.StartsWith("ssh://", StringComparison.Ordinal);

    // Image reference syntax: lower-case path components, optional host:port, optional :tag and @digest.
    [GeneratedRegex(@"^(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$")]
    private static partial Regex NamePattern();
}
