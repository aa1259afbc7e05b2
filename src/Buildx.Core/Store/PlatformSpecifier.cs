using System.Text;
using System.Text.RegularExpressions;
using Buildx.Core.Errors;
using Buildx.Core.Text;

namespace Buildx.Core.Store;

/// <summary>
/// Parses <c>--platform</c> values into the platforms a node stores, as buildx does
/// (<c>platformutil.Parse</c> over containerd's <c>platforms.Parse</c> and <c>Normalize</c>),
/// and formats them as containerd's <c>platforms.Format</c>.
/// </summary>
public static partial class PlatformSpecifier
{
    /// <summary>
    /// buildx's <c>platformutil.Parse</c>: each value may hold several comma-separated platforms;
    /// <c>local</c> is this machine. Returns null for no values, as Go returns a nil slice.
    /// </summary>
    public static IList<OciPlatform>? ParseList(IEnumerable<string>? values)
    {
        var list = values?.ToList();
        if (list is null || list.Count == 0)
        {
            return null;
        }

        var result = new List<OciPlatform>(list.Count);
        foreach (var value in list)
        {
            var parts = value.Split(',');
            if (parts.Length > 1)
            {
                result.AddRange(ParseList(parts)!);
                continue;
            }

            var platform = string.Equals(value, "local", StringComparison.OrdinalIgnoreCase)
                ? HostPlatform.DefaultSpec()
                : Parse(value);
            result.Add(Normalize(platform));
        }

        return result;
    }

    /// <summary>containerd's <c>platforms.Parse</c>: <c>os[(version[+feature…])][/arch[/variant]]</c>, or an arch alone.</summary>
    public static OciPlatform Parse(string specifier)
    {
        ArgumentNullException.ThrowIfNull(specifier);
        if (specifier.Contains('*', StringComparison.Ordinal))
        {
            throw Invalid($"{GoQuote.Quote(specifier)}: wildcards not yet supported: invalid argument", specifier);
        }

        var parts = specifier.Split('/', 4);
        var platform = new OciPlatform();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i == 0)
            {
                var os = OsPattern().Match(parts[0]);
                if (!os.Success)
                {
                    throw Invalid(
                        $"{GoQuote.Quote(parts[0])} is an invalid OS component of {GoQuote.Quote(specifier)}: OSAndVersion specifier component must match {GoQuote.Quote(OsPatternText)}: invalid argument",
                        specifier);
                }

                platform.OS = NormalizeOS(os.Groups[1].Value);
                platform.OSVersion = DecodeOSOption(os.Groups[2].Value, specifier);
                if (os.Groups[3].Value.Length > 0)
                {
                    platform.OSFeatures = ParseOSFeatures(os.Groups[3].Value[1..], specifier);
                }
            }
            else if (!SpecifierPattern().IsMatch(parts[i]))
            {
                throw Invalid(
                    $"{GoQuote.Quote(parts[i])} is an invalid component of {GoQuote.Quote(specifier)}: platform specifier component must match {GoQuote.Quote(SpecifierPatternText)}: invalid argument",
                    specifier);
            }
        }

        switch (parts.Length)
        {
            case 1:
                if (IsKnownOS(platform.OS))
                {
                    platform.Architecture = HostPlatform.Architecture;
                    var hostVariant = HostPlatform.Variant;
                    if (platform.Architecture == "arm" && hostVariant != "v7")
                    {
                        platform.Variant = hostVariant;
                    }

                    return platform;
                }

                (platform.Architecture, platform.Variant) = NormalizeArchitecture(parts[0], string.Empty);
                if (platform.Architecture == "arm" && platform.Variant == "v7")
                {
                    platform.Variant = string.Empty;
                }

                if (IsKnownArchitecture(platform.Architecture))
                {
                    platform.OS = HostPlatform.OS;
                    return platform;
                }

                throw Invalid($"{GoQuote.Quote(specifier)}: unknown operating system or architecture: invalid argument", specifier);
            case 2:
                (platform.Architecture, platform.Variant) = NormalizeArchitecture(parts[1], string.Empty);
                if (platform.Architecture == "arm" && platform.Variant == "v7")
                {
                    platform.Variant = string.Empty;
                }

                return platform;
            case 3:
                (platform.Architecture, platform.Variant) = NormalizeArchitecture(parts[1], parts[2]);
                if (platform.Architecture == "arm64" && platform.Variant.Length == 0)
                {
                    platform.Variant = "v8";
                }

                return platform;
            default:
                throw Invalid($"{GoQuote.Quote(specifier)}: cannot parse platform specifier: invalid argument", specifier);
        }
    }

    /// <summary>containerd's <c>platforms.Normalize</c>: canonical OS and architecture names and variants, sorted features.</summary>
    public static OciPlatform Normalize(OciPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var normalized = platform.Copy();
        normalized.OS = NormalizeOS(platform.OS);
        (normalized.Architecture, normalized.Variant) = NormalizeArchitecture(platform.Architecture, platform.Variant);
        if (platform.OSFeatures is { Count: > 0 })
        {
            var features = platform.OSFeatures.ToList();
            features.Sort(GoStringComparer.Instance);
            normalized.OSFeatures = features.Where((f, i) => i == 0 || f != features[i - 1]).ToList();
        }

        return normalized;
    }

    /// <summary>containerd's <c>platforms.Format</c>: <c>os/arch[/variant]</c>, or <c>unknown</c> without an OS.</summary>
    public static string Format(OciPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (string.IsNullOrEmpty(platform.OS))
        {
            return "unknown";
        }

        // Go's path.Join skips empty elements.
        return string.Join('/', new[] { platform.OS, platform.Architecture, platform.Variant }.Where(s => !string.IsNullOrEmpty(s)));
    }

    private const string OsPatternText = @"^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$";
    private const string SpecifierPatternText = "^[A-Za-z0-9_.-]+$";

    [GeneratedRegex(OsPatternText, RegexOptions.CultureInvariant)]
    private static partial Regex OsPattern();

    [GeneratedRegex(SpecifierPatternText, RegexOptions.CultureInvariant)]
    private static partial Regex SpecifierPattern();

    private static string NormalizeOS(string os)
    {
        if (string.IsNullOrEmpty(os))
        {
            return HostPlatform.OS;
        }

        os = os.ToLowerInvariant();
        return os == "macos" ? "darwin" : os;
    }

    private static (string Architecture, string Variant) NormalizeArchitecture(string architecture, string variant)
    {
        architecture = (architecture ?? string.Empty).ToLowerInvariant();
        variant = (variant ?? string.Empty).ToLowerInvariant();
        switch (architecture)
        {
            case "i386":
                return ("386", string.Empty);
            case "x86_64" or "x86-64" or "amd64":
                return ("amd64", variant == "v1" ? string.Empty : variant);
            case "aarch64" or "arm64":
                return ("arm64", variant switch
                {
                    "8" or "v8" or "v8.0" => string.Empty,
                    "9" or "9.0" or "v9.0" => "v9",
                    _ => variant,
                });
            case "armhf":
                return ("arm", "v7");
            case "armel":
                return ("arm", "v6");
            case "arm":
                return ("arm", variant switch
                {
                    "" or "7" => "v7",
                    "5" or "6" or "8" => "v" + variant,
                    _ => variant,
                });
            default:
                return (architecture, variant);
        }
    }

    private static bool IsKnownOS(string os) => os is "aix" or "android" or "darwin" or "dragonfly" or "freebsd" or "hurd"
        or "illumos" or "ios" or "js" or "linux" or "nacl" or "netbsd" or "openbsd" or "plan9" or "solaris" or "windows" or "zos";

    private static bool IsKnownArchitecture(string architecture) => architecture is "386" or "amd64" or "amd64p32" or "arm"
        or "armbe" or "arm64" or "arm64be" or "ppc64" or "ppc64le" or "loong64" or "mips" or "mipsle" or "mips64"
        or "mips64le" or "mips64p32" or "mips64p32le" or "ppc" or "riscv" or "riscv64" or "s390" or "s390x" or "sparc"
        or "sparc64" or "wasm";

    private static List<string>? ParseOSFeatures(string text, string specifier)
    {
        if (text.Length == 0)
        {
            return null;
        }

        List<string>? features = null;
        foreach (var raw in text.Split('+'))
        {
            var trimmed = raw.Trim();
            if (trimmed.Length == 0)
            {
                throw Invalid($"{GoQuote.Quote(specifier)} has invalid OS features: empty os feature: invalid argument", specifier);
            }

            var feature = DecodeOSOption(trimmed, specifier);
            if (feature.Length > 0)
            {
                (features ??= []).Add(feature);
            }
        }

        return features;
    }

    // Go's url.PathUnescape: %XX must be two hex digits; '+' stays '+'.
    private static string DecodeOSOption(string value, string specifier)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%')
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
                continue;
            }

            if (i + 2 >= value.Length || !Uri.IsHexDigit(value[i + 1]) || !Uri.IsHexDigit(value[i + 2]))
            {
                throw Invalid($"{GoQuote.Quote(specifier)} has an invalid OS version or feature {GoQuote.Quote(value)}: invalid URL escape", specifier);
            }

            bytes.Add((byte)((Uri.FromHex(value[i + 1]) << 4) | Uri.FromHex(value[i + 2])));
            i += 2;
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static BuildxException Invalid(string message, string specifier) =>
        new(ErrorIds.InvalidPlatform, BuildxErrorKind.InvalidArgument, message, specifier);
}
