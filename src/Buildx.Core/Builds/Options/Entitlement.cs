using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// buildx's <c>--allow</c>: entitlements the daemon must grant (<c>network.host</c>,
/// <c>security.insecure</c>), and the client-only <c>buildx.local.delete</c>, which lets a
/// <c>mode=delete</c> local output mirror a directory outside the current one.
/// </summary>
public static class Entitlement
{
    public const string NetworkHost = "network.host";
    public const string SecurityInsecure = "security.insecure";
    public const string LocalDelete = "buildx.local.delete";

    public static IReadOnlyList<string> Known { get; } = [NetworkHost, SecurityInsecure, LocalDelete];

    /// <summary>Each value may hold several, comma-separated; unknown ones are refused with the accepted list.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new List<string>();
        foreach (var value in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!Known.Contains(value, StringComparer.Ordinal))
            {
                var suggestion = Text.ClosestMatch.Find(value, Known) is { } close ? $" Did you mean '{close}'?" : string.Empty;
                throw OptionText.Invalid(ErrorIds.InvalidEntitlement, "Allow", $"'{value}' is not an entitlement.{suggestion} Accepted: {string.Join(", ", Known)}.");
            }

            if (!result.Contains(value, StringComparer.Ordinal))
            {
                result.Add(value);
            }
        }

        return result;
    }

    /// <summary>What the daemon is asked for: every entitlement but the client-only ones.</summary>
    internal static IEnumerable<string> ForDaemon(IEnumerable<string> entitlements) =>
        entitlements.Where(e => e != LocalDelete);

    /// <summary>
    /// buildx's guard: a <c>mode=delete</c> local output removes whatever its destination holds that
    /// the build does not, so outside the current directory it needs <c>buildx.local.delete</c>.
    /// </summary>
    public static void CheckLocalDelete(IEnumerable<Exports.ExportSpec> outputs, IReadOnlyList<string> entitlements, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(entitlements);
        if (entitlements.Contains(LocalDelete, StringComparer.Ordinal))
        {
            return;
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workingDirectory)) + Path.DirectorySeparatorChar;
        foreach (var output in outputs.Where(o => o.Type == Exports.ExportSpec.Local && o.Attributes.GetValueOrDefault("mode") == "delete" && o.Destination is not null))
        {
            var destination = Path.GetFullPath(output.Destination!);
            if (!destination.StartsWith(root, StringComparison.Ordinal) || destination.Length == root.Length)
            {
                throw new BuildxException(ErrorIds.InvalidOutput, BuildxErrorKind.PermissionDenied,
                    $"Invalid output '{output}': mode=delete removes every file in '{destination}' that the build does not produce, and that directory is not inside the current one ('{workingDirectory}'). Give -Allow {LocalDelete} to allow it, or a destination below the current directory.",
                    output.ToString());
            }
        }
    }
}
