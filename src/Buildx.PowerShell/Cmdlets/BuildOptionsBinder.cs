using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Text;
using Buildx.Core.Builds.Options;
using Buildx.Core.Errors;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Turns Invoke-BuildxBuild's surface parameters (hashtables, CSV strings, SecureStrings) into
/// <see cref="BuildOptions"/>. Parsing and checks live in Buildx.Core; this only unwraps PowerShell values.
/// </summary>
internal sealed class BuildOptionsBinder(Func<string, string> resolvePath)
{
    public object[] CacheFrom { get; init; } = [];

    public object[] CacheTo { get; init; } = [];

    public object[] Secret { get; init; } = [];

    public object[] Ssh { get; init; } = [];

    public object[] Annotation { get; init; } = [];

    public string[] Attest { get; init; } = [];

    public object? Provenance { get; init; }

    public object? Sbom { get; init; }

    public BuildNetwork Network { get; init; }

    public object[] AddHost { get; init; } = [];

    public long ShmSize { get; init; }

    public object[] Ulimit { get; init; } = [];

    public object[] BuildContext { get; init; } = [];

    public bool Pull { get; init; }

    public string[] Allow { get; init; } = [];

    public BuildOptions Bind() => new()
    {
        CacheFrom = CacheFrom.Select(v => ToCache(v, export: false)).ToArray(),
        CacheTo = CacheTo.Select(v => ToCache(v, export: true)).ToArray(),
        Secrets = Secret.Select(ToSecret).ToArray(),
        Ssh = Ssh.Select(ToSsh).ToArray(),
        Annotations = Annotation.SelectMany(v => Entries(v, "Annotation", AnnotationSpec.Parse, AnnotationSpec.Create)).ToArray(),
        Attestations = [.. Attest, .. Shorthand("provenance", Provenance), .. Shorthand("sbom", Sbom)],
        Network = Network switch
        {
            BuildNetwork.None => BuildNetworkMode.None,
            BuildNetwork.Host => BuildNetworkMode.Host,
            _ => BuildNetworkMode.Default,
        },
        ExtraHosts = AddHost.SelectMany(v => Entries<HostEntry>(v, "AddHost", text => [HostEntry.Parse(text)], (k, val) => [HostEntry.Create(k, val)])).ToArray(),
        ShmSize = ShmSize,
        Ulimits = Ulimit.SelectMany(v => Entries<UlimitSpec>(v, "Ulimit", text => [UlimitSpec.Parse(text)], (k, val) => [UlimitSpec.Parse(k, val)])).ToArray(),
        NamedContexts = BuildContext.SelectMany(v => Entries<NamedContext>(v, "BuildContext", text => [NamedContext.Parse(text)], (k, val) => [NamedContext.Create(k, val)]))
            .Select(c => c.Kind switch
            {
                NamedContextKind.Directory => c with { Value = resolvePath(c.Value) },
                NamedContextKind.OciLayout => c with { Value = ResolveLayoutPath(c.Value) },
                _ => c,
            })
            .ToArray(),
        Pull = Pull,
        Entitlements = Entitlement.Parse(Allow),
    };

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private static IEnumerable<KeyValuePair<string, object?>> Pairs(IDictionary map) =>
        map.Keys.Cast<object>().Select(k => new KeyValuePair<string, object?>(k.ToString() ?? string.Empty, Unwrap(map[k])));

    /// <summary>A local cache's src/dest are PowerShell paths; BuildKit gets them absolute, as its store id.</summary>
    private CacheSpec ToCache(object value, bool export)
    {
        var spec = ParseCache(value, export);
        if (spec.Type != CacheSpec.Local)
        {
            return spec;
        }

        var attributes = spec.Attributes.ToDictionary(a => a.Key, a => a.Key is "src" or "dest" ? resolvePath(a.Value) : a.Value, StringComparer.Ordinal);
        return spec with { Attributes = attributes };
    }

    private static CacheSpec ParseCache(object value, bool export) => Unwrap(value) switch
    {
        string text => CacheSpecParser.ParseCsv(text, export),
        IDictionary map => CacheSpecParser.FromPairs(Pairs(map), export),
        var other => throw Unaccepted(ErrorIds.InvalidCacheOption, export ? "CacheTo" : "CacheFrom", other, "@{ type='registry'; ref='host/repo:cache' } or 'type=inline'"),
    };

    private SecretSpec ToSecret(object value)
    {
        var spec = Unwrap(value) switch
        {
            string text => SecretSpecParser.ParseCsv(text),
            IDictionary map => FromMap(map),
            var other => throw Unaccepted(ErrorIds.InvalidSecret, "Secret", other, "@{ id='npm'; src='./npmrc' } or 'id=tok,env=TOKEN'"),
        };
        return spec.Kind == SecretSourceKind.File ? spec.WithSource(resolvePath(spec.Source!)) : spec;
    }

    /// <summary>A secret map; the bytes revealed from a SecureString are cleared once the secret holds its copy.</summary>
    private static SecretSpec FromMap(IDictionary map) => WithRevealedSecrets(map, pairs => SecretSpecParser.FromPairs(pairs));

    /// <summary>
    /// Hands a map to a parser with its SecureStrings as UTF-8 bytes; the parser copies what it keeps,
    /// and the revealed bytes are cleared afterwards.
    /// </summary>
    private static T WithRevealedSecrets<T>(IDictionary map, Func<IEnumerable<KeyValuePair<string, object?>>, T> parse)
    {
        var revealed = new List<byte[]>();
        try
        {
            return parse(Pairs(map).Select(p =>
            {
                if (p.Value is not SecureString secure)
                {
                    return p;
                }

                var bytes = Reveal(secure);
                revealed.Add(bytes);
                return new KeyValuePair<string, object?>(p.Key, bytes);
            }).ToList());
        }
        finally
        {
            revealed.ForEach(bytes => Array.Clear(bytes));
        }
    }

    /// <summary>The SecureString's UTF-8 bytes, for the parser to copy into the secret.</summary>
    internal static byte[] Reveal(SecureString secure) => Encoding.UTF8.GetBytes(new NetworkCredential(string.Empty, secure).Password);

    private SshSpec ToSsh(object value)
    {
        var spec = Unwrap(value) switch
        {
            string text => SshSpecParser.Parse(text),
            IDictionary map => WithRevealedSecrets<SshSpec>(map, SshSpecParser.FromPairs),
            var other => throw Unaccepted(ErrorIds.InvalidSsh, "Ssh", other, "'default', 'default=~/.ssh/id_ed25519' or @{ id='github'; paths='/path/agent.sock' }"),
        };
        // Agent sockets and key files are provider paths (~ and relative paths resolve); Windows agent pipes (\\.\pipe\name, //./pipe/name) are not.
        return spec with { Paths = spec.Paths.Select(p => p.StartsWith(@"\\", StringComparison.Ordinal) || p.StartsWith("//", StringComparison.Ordinal) ? p : resolvePath(p)).ToArray() };
    }

    /// <summary>A string is one entry; a hashtable is one entry per key.</summary>
    private static IEnumerable<T> Entries<T>(object value, string parameter, Func<string, IEnumerable<T>> parse, Func<string, string, IEnumerable<T>> create) => Unwrap(value) switch
    {
        string text => parse(text),
        IDictionary map => Pairs(map).SelectMany(p => create(p.Key, FormatValue(p.Value))),
        var other => throw Unaccepted(ErrorIds.InvalidBuildArgument, parameter, other, "a hashtable or a string"),
    };

    private static string FormatValue(object? value) => value switch
    {
        null => string.Empty,
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>-Provenance/-Sbom: a bool or buildx's value string.</summary>
    private static string[] Shorthand(string type, object? value) => Unwrap(value) switch
    {
        null => [],
        bool flag => [AttestationSpecParser.Canonicalize(type, flag ? "true" : "false")],
        SwitchParameter flag => [AttestationSpecParser.Canonicalize(type, flag.IsPresent ? "true" : "false")],
        var other => [AttestationSpecParser.Canonicalize(type, FormatValue(other))],
    };

    private static BuildxException Unaccepted(string errorId, string parameter, object? value, string example) => new(
        errorId, BuildxErrorKind.InvalidArgument,
        $"-{parameter} does not accept a value of type {value?.GetType().Name ?? "null"}. Give {example}.", parameter);

    /// <summary>The layout directory of an oci-layout:// value is a PowerShell path; its tag and digest stay as given.</summary>
    private string ResolveLayoutPath(string value)
    {
        var (path, tag, digest) = OciLayoutContexts.Split(value);
        var suffix = (value[OciLayoutContexts.Scheme.Length..].Contains(':', StringComparison.Ordinal) ? ":" + tag : string.Empty) + (digest is null ? string.Empty : "@" + digest);
        return OciLayoutContexts.Scheme + resolvePath(path) + suffix;
    }
}
