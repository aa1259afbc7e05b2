using Buildx.Core.Errors;
using Buildx.Core.Text;

namespace Buildx.Core.Drivers.Remote;

/// <summary>
/// The remote driver's options (<c>--driver-opt</c>), with buildx's keys and checks
/// (<c>driver/remote/factory.go</c>): TLS files as absolute paths, the TLS server name, and
/// <c>default-load</c>. Any TLS key turns TLS on, and then <c>cacert</c> is required.
/// </summary>
public sealed record RemoteDriverOptions
{
    public const string CaCertKey = "cacert";
    public const string CertKey = "cert";
    public const string KeyKey = "key";
    public const string ServerNameKey = "servername";
    public const string DefaultLoadKey = "default-load";

    public static IReadOnlyList<DriverOptionDescriptor> Declared { get; } =
    [
        new(CaCertKey, "absolute path", null, "PEM file of the CA that signed the daemon's certificate; only this CA is trusted. Turns TLS on, and is required with TLS."),
        new(CertKey, "absolute path", null, "PEM file of the client certificate (mutual TLS); needs key."),
        new(KeyKey, "absolute path", null, "PEM file of the client certificate's private key; needs cert."),
        new(ServerNameKey, "host name", null, "The name the daemon's certificate must carry (SNI); defaults to the endpoint's host. Turns TLS on."),
        new(DefaultLoadKey, "boolean", "false", "Load build results into the Docker engine's image store by default."),
    ];

    public static IReadOnlyList<string> AcceptedKeys { get; } = Declared.Select(option => option.Key).ToArray();

    public string? CaCertPath { get; init; }

    public string? CertPath { get; init; }

    public string? KeyPath { get; init; }

    public string? ServerName { get; init; }

    public bool DefaultLoad { get; init; }

    /// <summary>True when any TLS option is set, as in buildx.</summary>
    public bool UsesTls => CaCertPath is not null || CertPath is not null || KeyPath is not null || ServerName is not null;

    /// <summary>Parses stored options; every value is checked, and the first bad one is an error naming it.</summary>
    public static RemoteDriverOptions Parse(IReadOnlyDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new RemoteDriverOptions();
        foreach (var (key, value) in options.OrderBy(option => option.Key, StringComparer.Ordinal))
        {
            result = key switch
            {
                CaCertKey => result with { CaCertPath = AbsolutePath(key, value) },
                CertKey => result with { CertPath = AbsolutePath(key, value) },
                KeyKey => result with { KeyPath = AbsolutePath(key, value) },
                ServerNameKey => result with { ServerName = value.Length == 0 ? null : value },
                DefaultLoadKey => result with { DefaultLoad = ParseBool(key, value) },
                _ => throw UnknownKey(key),
            };
        }

        if (result.UsesTls && result.CaCertPath is null)
        {
            throw new BuildxException(
                ErrorIds.InvalidDriverOption,
                BuildxErrorKind.InvalidArgument,
                "The remote driver's TLS options need cacert: the daemon's certificate is checked against that CA only (system roots are not used, as in buildx). Give cacert=<absolute path to the CA's PEM file> (or -CACertificate).",
                CaCertKey);
        }

        if ((result.CertPath is null) != (result.KeyPath is null))
        {
            var missing = result.CertPath is null ? CertKey : KeyKey;
            throw new BuildxException(
                ErrorIds.InvalidDriverOption,
                BuildxErrorKind.InvalidArgument,
                $"The remote driver option '{missing}' is missing: a client certificate needs both cert (the certificate's PEM file) and key (its private key's PEM file), or a -ClientCertificate object with its private key.",
                missing);
        }

        return result;
    }

    /// <summary>buildx requires absolute paths: a relative one would change meaning with the working directory.</summary>
    private static string AbsolutePath(string key, string value)
    {
        if (value.Length == 0 || !Path.IsPathFullyQualified(value))
        {
            throw new BuildxException(
                ErrorIds.InvalidDriverOption,
                BuildxErrorKind.InvalidArgument,
                $"The remote driver option '{key}' has the value '{value}', which is not an absolute path. Give the full path of a PEM file (the -CACertificate, -Certificate and -Key parameters resolve PowerShell paths for you).",
                key);
        }

        return value;
    }

    /// <summary>Go's <c>strconv.ParseBool</c>, which buildx uses.</summary>
    private static bool ParseBool(string key, string value) => GoBool.TryParse(value, out var result)
        ? result
        : throw new BuildxException(
            ErrorIds.InvalidDriverOption,
            BuildxErrorKind.InvalidArgument,
            $"The remote driver option '{key}' has an invalid value '{value}': not a boolean. Expected {GoBool.Accepted}.",
            key);

    private static BuildxException UnknownKey(string key)
    {
        var suggestion = ClosestMatch.Find(key, AcceptedKeys);
        return new BuildxException(
            ErrorIds.UnknownDriverOption,
            BuildxErrorKind.InvalidArgument,
            $"'{key}' is not an option of the remote driver.{(suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?")} Accepted options: {string.Join(", ", AcceptedKeys)}.",
            key);
    }
}
