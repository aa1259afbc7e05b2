using System.Text.Json;
using Buildx.Core.BuildKit.Protocol.Control;
using Buildx.Core.Drivers;
using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>
/// Checks <see cref="BuildOptions"/> against the driver before anything is sent, and writes them into
/// the SolveRequest exactly as buildx does: frontend attributes, cache options, exporter annotations
/// and entitlements.
/// </summary>
public static class BuildOptionsPlanner
{
    public static void Validate(BuildOptions options, string driver)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (driver == DockerDriver.DriverName && options.CacheTo.FirstOrDefault(c => c.Type != CacheSpec.Inline) is { } export)
        {
            // buildx refuses this too: the engine's BuildKit exports only inline cache.
            throw new BuildxException(ErrorIds.CacheExportNotSupported, BuildxErrorKind.InvalidOperation,
                $"Cache export type={export.Type} is not supported for the docker driver; only type=inline is. Switch to a docker-container or remote builder (New-BuildxBuilder -Driver docker-container), or use -CacheTo 'type=inline'.", export.Type);
        }

        var attestations = AttestationSpecParser.ToAttributes(options.Attestations);
        if (attestations.Count > 0 && driver == DockerDriver.DriverName)
        {
            throw new BuildxException(ErrorIds.InvalidAttestation, BuildxErrorKind.InvalidOperation,
                "Attestations are not supported for the docker driver. Switch to a docker-container or remote builder, or leave out -Attest, -Provenance and -Sbom.", driver);
        }

        foreach (var layout in options.NamedContexts.Where(c => c.Kind == NamedContextKind.OciLayout))
        {
            var path = OciLayoutContexts.Split(layout.Value).Path;
            if (!Directory.Exists(path))
            {
                throw new BuildxException(ErrorIds.BuildContextNotFound, BuildxErrorKind.ObjectNotFound,
                    $"-BuildContext '{layout.Name}': '{path}' is not a directory. Give oci-layout://<OCI layout dir>[:tag][@sha256:digest].", layout.Value);
            }
        }

        var duplicate = options.NamedContexts.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw OptionText.Invalid(ErrorIds.InvalidBuildContext, "BuildContext", $"the context '{duplicate.Key}' is given twice.");
        }

        foreach (var directory in options.NamedContexts.Where(c => c.Kind == NamedContextKind.Directory))
        {
            if (!Directory.Exists(directory.Value))
            {
                throw new BuildxException(ErrorIds.BuildContextNotFound, BuildxErrorKind.ObjectNotFound,
                    $"-BuildContext '{directory.Name}': '{directory.Value}' is not a directory. Give a directory, docker-image://ref, target:stage or a git/https URL.", directory.Value);
            }
        }

        if (options.ShmSize < 0)
        {
            throw OptionText.Invalid(ErrorIds.InvalidBuildArgument, "ShmSize", $"{options.ShmSize} is negative; give a size in bytes such as 64MB.");
        }

        HostGatewayAddress.Validate(options, driver);
        SecretSpecParser.Validate(options.Secrets);
        SshSpecParser.ValidateUnique(options.Ssh);
    }

    /// <summary>The extra FileSync directories: one per named directory context, under its local name.</summary>
    public static IEnumerable<KeyValuePair<string, string>> LocalDirectories(BuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.NamedContexts
            .Where(c => c.Kind == NamedContextKind.Directory)
            .Select(c => new KeyValuePair<string, string>(c.LocalName, Path.GetFullPath(c.Value)));
    }

    /// <summary>Writes the options into a Dockerfile SolveRequest (after the exporters are set).</summary>
    internal static void Apply(SolveRequest solve, BuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(solve);
        ArgumentNullException.ThrowIfNull(options);
        var attrs = solve.FrontendAttrs;
        if (options.Pull)
        {
            attrs["image-resolve-mode"] = "pull";
        }

        switch (options.Network)
        {
            case BuildNetworkMode.Host:
                attrs["force-network-mode"] = "host";
                solve.Entitlements.Add(Entitlement.NetworkHost);
                break;
            case BuildNetworkMode.None:
                attrs["force-network-mode"] = "none";
                break;
        }

        foreach (var entitlement in Entitlement.ForDaemon(options.Entitlements).Where(e => !solve.Entitlements.Contains(e)))
        {
            solve.Entitlements.Add(entitlement);
        }

        if (options.ExtraHosts.Count > 0)
        {
            attrs["add-hosts"] = string.Join(',', options.ExtraHosts);
        }

        if (options.ShmSize > 0)
        {
            attrs["shm-size"] = options.ShmSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (options.Ulimits.Count > 0)
        {
            attrs["ulimit"] = string.Join(',', options.Ulimits);
        }

        foreach (var context in options.NamedContexts)
        {
            attrs["context:" + context.Name] = context.AttributeValue;
        }

        foreach (var (key, value) in AttestationSpecParser.ToAttributes(options.Attestations))
        {
            attrs[key] = value;
        }

        foreach (var annotation in options.Annotations)
        {
            foreach (var exporter in solve.Exporters)
            {
                exporter.Attrs[annotation.AttributeKey] = annotation.Value;
            }

            if (!string.IsNullOrEmpty(solve.ExporterDeprecated))
            {
                solve.ExporterAttrsDeprecated[annotation.AttributeKey] = annotation.Value;
            }
        }

        ApplyCache(solve, options);
    }

    private static void ApplyCache(SolveRequest solve, BuildOptions options)
    {
        if (options.CacheFrom.Count == 0 && options.CacheTo.Count == 0)
        {
            return;
        }

        var cache = new CacheOptions();
        foreach (var export in options.CacheTo)
        {
            cache.Exports.Add(ToEntry(export));
        }

        foreach (var import in options.CacheFrom)
        {
            cache.Imports.Add(ToEntry(import));
        }

        // The legacy fields (ExportRefDeprecated, ImportRefsDeprecated) stay empty, as BuildKit's current
        // client leaves them: daemons still append them to Exports/Imports, so setting both would
        // double every registry entry (v0.8 then refuses "multiple cache exports").
        solve.Cache = cache;
        if (options.CacheFrom.Count > 0)
        {
            // The Dockerfile frontend reads its imports from this attribute.
            solve.FrontendAttrs["cache-imports"] = JsonSerializer.Serialize(options.CacheFrom.Select(c => new CacheImportJson(c.Type, c.Attributes)));
        }
    }

    private static CacheOptionsEntry ToEntry(CacheSpec spec)
    {
        var entry = new CacheOptionsEntry { Type = spec.Type };
        foreach (var (key, value) in spec.Attributes)
        {
            entry.Attrs[key] = value;
        }

        return entry;
    }

    /// <summary>Go's JSON of CacheOptionsEntry: exported field names as keys.</summary>
    private sealed record CacheImportJson(
        [property: System.Text.Json.Serialization.JsonPropertyName("Type")] string Type,
        [property: System.Text.Json.Serialization.JsonPropertyName("Attrs")] IReadOnlyDictionary<string, string> Attrs);
}
