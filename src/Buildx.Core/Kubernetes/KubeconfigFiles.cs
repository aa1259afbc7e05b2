using k8s;
using k8s.KubeConfigModels;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// Reads a kubeconfig that <c>KUBECONFIG</c> spreads over several files, as kubectl merges them:
/// the first file to name a cluster, user or context wins, and the current context is the first
/// one set. Relative paths (certificates, tokens) stay relative to the file that holds them.
/// </summary>
internal static class KubeconfigFiles
{
    public static K8SConfiguration Load(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = paths.Select(path => KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path), useRelativePaths: true)).ToList();
        var merged = files[0];
        foreach (var next in files.Skip(1))
        {
            merged.CurrentContext = string.IsNullOrEmpty(merged.CurrentContext) ? next.CurrentContext : merged.CurrentContext;
            merged.Clusters = FirstWins(merged.Clusters, next.Clusters, c => c.Name);
            merged.Users = FirstWins(merged.Users, next.Users, u => u.Name);
            merged.Contexts = FirstWins(merged.Contexts, next.Contexts, c => c.Name);
        }

        return merged;
    }

    private static List<T> FirstWins<T>(IEnumerable<T>? first, IEnumerable<T>? second, Func<T, string> name)
    {
        var result = (first ?? []).ToList();
        var seen = new HashSet<string>(result.Select(name), StringComparer.Ordinal);
        result.AddRange((second ?? []).Where(item => seen.Add(name(item))));
        return result;
    }
}
