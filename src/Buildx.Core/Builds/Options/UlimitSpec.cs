using System.Globalization;
using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>One <c>--ulimit</c> for RUN steps: <c>nofile=1024:2048</c> (soft:hard; one number sets both).</summary>
public sealed record UlimitSpec(string Name, long Soft, long Hard)
{
    internal const string Accepted = "Give 'name=soft[:hard]' such as 'nofile=1024:2048', or a hashtable such as @{ nofile='1024:2048' } or @{ nproc=512 }.";

    /// <summary>The limits docker knows (<c>go-units</c> ulimit names).</summary>
    public static IReadOnlySet<string> KnownNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
    };

    public static UlimitSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw OptionText.Invalid(ErrorIds.InvalidUlimit, "Ulimit", $"'{text}' is not name=soft[:hard]. {Accepted}");
        }

        return Parse(text[..equals], text[(equals + 1)..]);
    }

    public static UlimitSpec Parse(string name, string limits)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(limits);
        name = name.Trim();
        if (!KnownNames.Contains(name))
        {
            throw OptionText.Invalid(ErrorIds.InvalidUlimit, "Ulimit", $"'{name}' is not a limit; the limits are {string.Join(", ", KnownNames.Order(StringComparer.Ordinal))}.");
        }

        var parts = limits.Split(':');
        if (parts.Length > 2 || !TryParseLimit(parts[0], out var soft) || !TryParseLimit(parts[^1], out var hard))
        {
            throw OptionText.Invalid(ErrorIds.InvalidUlimit, "Ulimit", $"'{limits}' for {name} is not soft[:hard] with whole numbers (-1 for unlimited). {Accepted}");
        }

        if (soft > hard && hard != -1)
        {
            throw OptionText.Invalid(ErrorIds.InvalidUlimit, "Ulimit", $"the soft limit {soft} for {name} is above the hard limit {hard}.");
        }

        return new UlimitSpec(name, soft, hard);
    }

    /// <summary>docker's <c>Ulimit.String()</c>, the form BuildKit parses back.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}={Soft}:{Hard}");

    private static bool TryParseLimit(string text, out long value) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= -1;
}
