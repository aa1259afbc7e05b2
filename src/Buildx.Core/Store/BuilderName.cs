using System.Text.RegularExpressions;
using Buildx.Core.Errors;

namespace Buildx.Core.Store;

/// <summary>
/// buildx's rules for builder and node names (<c>store.ValidateName</c>): a letter, then letters,
/// digits and <c>._-</c>. Names are case-preserving but files are named in lower case, so
/// <c>MyBuilder</c> and <c>mybuilder</c> are the same builder.
/// </summary>
public static partial class BuilderName
{
    /// <summary>The name of the docker context builder; <c>create</c> refuses it.</summary>
    public const string Reserved = "default";

    public static bool IsValid(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>Checks the name and returns it lower-cased: the file name buildx uses.</summary>
    public static string Validate(string? name)
    {
        if (!IsValid(name))
        {
            throw new BuildxException(
                ErrorIds.InvalidBuilderName,
                BuildxErrorKind.InvalidArgument,
                $"invalid name {name}, name needs to start with a letter and may not contain symbols, except ._-",
                name);
        }

        return name!.ToLowerInvariant();
    }

    /// <summary>The name checks <c>create</c> makes: not <c>default</c>, and a valid name.</summary>
    public static void EnsureCreatable(string name)
    {
        if (string.Equals(name, Reserved, StringComparison.Ordinal))
        {
            throw new BuildxException(
                ErrorIds.ReservedBuilderName,
                BuildxErrorKind.InvalidArgument,
                "default is a reserved name and cannot be used to identify builder instance",
                name);
        }

        Validate(name);
    }

    // Go's regexp is ASCII here too: [a-zA-Z] never matches other letters.
    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9\.\-_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
