using System.Security.Cryptography;
using System.Web;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// A kubernetes node's stored endpoint, as buildx writes it:
/// <c>kubernetes:///&lt;builder&gt;?deployment=buildkit-&lt;uuid&gt;-&lt;5 hex&gt;&amp;kubeconfig=&lt;path&gt;</c>.
/// This module adds <c>context=</c> when a kube context was chosen (buildx ignores the parameter).
/// </summary>
public sealed record KubernetesEndpoint(string BuilderName, string Deployment, string? KubeconfigPath, string? Context)
{
    public const string Scheme = "kubernetes";

    public static KubernetesEndpoint Create(string builderName, string? kubeconfigPath, string? context)
    {
        // The random name only keeps endpoints unique within a builder (buildx's GenerateNodeName).
        var deployment = $"buildkit-{Guid.NewGuid()}-{RandomNumberGenerator.GetHexString(5, lowercase: true)}";
        return new KubernetesEndpoint(builderName, deployment, kubeconfigPath, context);
    }

    public static KubernetesEndpoint? TryParse(string endpoint)
    {
        if (!endpoint.StartsWith(Scheme + "://", StringComparison.Ordinal) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var query = HttpUtility.ParseQueryString(uri.Query);
        return new KubernetesEndpoint(
            Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            query["deployment"] ?? string.Empty,
            query["kubeconfig"] is { Length: > 0 } path ? path : null,
            query["context"] is { Length: > 0 } context ? context : null);
    }

    /// <summary>The endpoint string: query parameters in Go's <c>url.Values.Encode</c> order (sorted by key).</summary>
    public override string ToString()
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["deployment"] = Deployment,
            ["kubeconfig"] = KubeconfigPath ?? string.Empty,
        };
        if (Context is not null)
        {
            parameters["context"] = Context;
        }

        var query = string.Join('&', parameters.Select(pair => $"{Encode(pair.Key)}={Encode(pair.Value)}"));
        return $"{Scheme}:///{BuilderName}?{query}";
    }

    /// <summary>Go's <c>url.QueryEscape</c>: unreserved characters kept, upper-case hex, space as <c>+</c>.</summary>
    private static string Encode(string text) => Uri.EscapeDataString(text).Replace("%20", "+", StringComparison.Ordinal);
}
