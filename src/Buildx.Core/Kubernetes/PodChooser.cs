using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Buildx.Core.Kubernetes;

/// <summary>
/// Which running pod a build talks to, as buildx's <c>podchooser</c>: <c>random</c> picks any,
/// <c>sticky</c> looks the context path up on a consistent-hash ring (serialx/hashring with weight
/// 1: one point per pod, MD5 of <c>"&lt;pod&gt;-0"</c>, compared as two signed little-endian
/// 64-bit halves), so the same context lands on the same pod in both tools.
/// </summary>
public static class PodChooser
{
    /// <param name="podNames">The running pods' names.</param>
    /// <param name="contextPathHash">buildx's key: the build context's absolute path (the cwd when there is none).</param>
    public static string ChooseSticky(IReadOnlyList<string> podNames, string contextPathHash)
    {
        ArgumentNullException.ThrowIfNull(podNames);
        ArgumentNullException.ThrowIfNull(contextPathHash);
        if (podNames.Count == 0)
        {
            throw new ArgumentException("There is no pod to choose from.", nameof(podNames));
        }

        var ring = podNames
            .Select(name => (Point: Point($"{name}-0"), Name: name))
            .OrderBy(entry => entry.Point.High)
            .ThenBy(entry => entry.Point.Low)
            .ToList();
        var key = Point(contextPathHash);
        foreach (var (point, name) in ring)
        {
            if (Less(key, point))
            {
                return name;
            }
        }

        return ring[0].Name;
    }

    public static string ChooseRandom(IReadOnlyList<string> podNames)
    {
        ArgumentNullException.ThrowIfNull(podNames);
        return podNames[System.Security.Cryptography.RandomNumberGenerator.GetInt32(podNames.Count)];
    }

    private static (long High, long Low) Point(string text)
    {
        // MD5 is buildx's ring hash here, not a security measure: the same hash picks the same pod.
#pragma warning disable CA5351
        var digest = MD5.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5351
        return (BinaryPrimitives.ReadInt64LittleEndian(digest.AsSpan(0, 8)), BinaryPrimitives.ReadInt64LittleEndian(digest.AsSpan(8, 8)));
    }

    private static bool Less((long High, long Low) a, (long High, long Low) b) => a.High < b.High || (a.High == b.High && a.Low < b.Low);
}
