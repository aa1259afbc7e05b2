using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Buildx.Core.Errors;

namespace Buildx.Core.Store;

/// <summary>
/// A stored builder: the file <c>instances/&lt;lower-cased name&gt;</c>, as buildx's <c>store.NodeGroup</c>.
/// <see cref="Name"/> keeps the case it was created with; only the file name is lower-cased.
/// </summary>
[JsonConverter(typeof(NodeGroupJsonConverter))]
public sealed class NodeGroup
{
    public string Name { get; set; } = string.Empty;

    public string Driver { get; set; } = string.Empty;

    /// <summary>Null until the first node is added; buildx writes it as JSON <c>null</c>.</summary>
    public IList<Node>? Nodes { get; set; }

    /// <summary>Set for kubernetes builders whose nodes are their running pods (never by <c>create</c>).</summary>
    public bool Dynamic { get; set; }

    /// <summary>From <c>activity/&lt;Name&gt;</c> when read from the store; not part of the instance file.</summary>
    [JsonIgnore]
    public DateTimeOffset? LastActivity { get; set; }

    /// <summary>Fields a newer buildx wrote that this version does not know; written back unchanged.</summary>
    public IDictionary<string, JsonElement> AdditionalFields { get; } = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    /// <summary>Index of the node with exactly this name (case-sensitive, as buildx), or -1.</summary>
    public int FindNode(string? name)
    {
        if (Nodes is null)
        {
            return -1;
        }

        for (var i = 0; i < Nodes.Count; i++)
        {
            if (string.Equals(Nodes[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The first of <c>&lt;Name&gt;0</c>, <c>&lt;Name&gt;1</c>, … that no node has.</summary>
    /// <remarks>
    /// Node names are stored lower-cased, so the candidate is compared lower-cased. buildx compares
    /// it as is, which for a mixed-case builder name yields the same node name on every append;
    /// for lower-case names (the usual case) both give the same result.
    /// </remarks>
    public string NextNodeName()
    {
        for (var i = 0; ; i++)
        {
            var candidate = Name + i.ToString(CultureInfo.InvariantCulture);
            if (FindNode(candidate) == -1 && FindNode(candidate.ToLowerInvariant()) == -1)
            {
                return candidate;
            }
        }
    }

    /// <summary>
    /// The checks <c>create</c> makes before it changes an existing builder: a node name or
    /// <c>--append</c> is required, and the driver must match.
    /// </summary>
    public void EnsureCanModify(string? nodeName, bool append, string driver)
    {
        if (string.IsNullOrEmpty(nodeName) && !append)
        {
            throw new BuildxException(
                ErrorIds.BuilderExists,
                BuildxErrorKind.InvalidOperation,
                $"existing instance for {GoQuote.Quote(Name)} but no append mode, specify the node name to make changes for existing instances",
                Name);
        }

        if (!string.Equals(driver, Driver, StringComparison.Ordinal))
        {
            throw new BuildxException(
                ErrorIds.BuilderDriverMismatch,
                BuildxErrorKind.InvalidArgument,
                $"existing instance for {GoQuote.Quote(Name)} but has mismatched driver {GoQuote.Quote(Driver)}",
                Name);
        }
    }

    /// <summary>
    /// Adds a node or changes one, as buildx's <c>NodeGroup.Update</c>. Platforms pinned on the
    /// changed node are taken off every other node.
    /// </summary>
    /// <returns>True when an existing node changed in a way that needs a builder restart to apply
    /// (buildx warns "new settings may not be used until builder is restarted").</returns>
    public bool Update(NodeUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        EnsureNotDynamic("Update");

        var index = FindNode(update.NodeName);
        if (index == -1 && !update.Append)
        {
            if (Nodes is { Count: > 0 })
            {
                throw new BuildxException(
                    ErrorIds.NodeNotFound,
                    BuildxErrorKind.ObjectNotFound,
                    $"node {update.NodeName} not found, did you mean to append?",
                    update.NodeName);
            }

            Nodes = null;
        }

        var platforms = PlatformSpecifier.ParseList(update.Platforms);

        if (index != -1)
        {
            var node = Nodes![index];
            var needsRestart = false;
            if (update.EndpointIsExplicit)
            {
                node.Endpoint = update.Endpoint;
                needsRestart = true;
            }

            if (update.Platforms is { Count: > 0 })
            {
                node.Platforms = platforms;
            }

            if (update.BuildkitdFlags is not null)
            {
                node.BuildkitdFlags = [.. update.BuildkitdFlags];
                needsRestart = true;
            }

            if (update.DriverOptions is not null)
            {
                node.DriverOpts = new Dictionary<string, string>(update.DriverOptions, StringComparer.Ordinal);
                needsRestart = true;
            }

            if (update.ConfigFiles is not null)
            {
                // buildx merges the new files over the node's (maps.Copy).
                node.Files ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var file in update.ConfigFiles)
                {
                    node.Files[file.Key] = file.Value.ToArray();
                }

                needsRestart = true;
            }

            ValidateDuplicates(update.Endpoint, index);
            return needsRestart;
        }

        var name = string.IsNullOrEmpty(update.NodeName) ? NextNodeName() : update.NodeName;
        name = BuilderName.Validate(name);

        Nodes ??= [];
        Nodes.Add(new Node
        {
            Name = name,
            Endpoint = update.Endpoint,
            Platforms = platforms,
            DriverOpts = update.DriverOptions is null ? null : new Dictionary<string, string>(update.DriverOptions, StringComparer.Ordinal),
            BuildkitdFlags = update.BuildkitdFlags is null ? null : [.. update.BuildkitdFlags],
            Files = update.ConfigFiles?.ToDictionary(f => f.Key, f => f.Value.ToArray(), StringComparer.Ordinal),
        });
        ValidateDuplicates(update.Endpoint, Nodes.Count - 1);
        return false;
    }

    /// <summary>Removes a node, as buildx's <c>NodeGroup.Leave</c> (<c>create --leave</c>).</summary>
    public void Leave(string nodeName)
    {
        EnsureNotDynamic("Leave");
        var index = FindNode(nodeName);
        if (index == -1)
        {
            throw new BuildxException(
                ErrorIds.NodeNotFound,
                BuildxErrorKind.ObjectNotFound,
                $"node {GoQuote.Quote(nodeName)} not found for {Name}",
                nodeName);
        }

        if (Nodes!.Count == 1)
        {
            throw new BuildxException(
                ErrorIds.LastNodeCannotLeave,
                BuildxErrorKind.InvalidOperation,
                "can not leave last node, do you want to rm instance instead?",
                nodeName);
        }

        Nodes.RemoveAt(index);
    }

    /// <summary>A deep copy (for rolling back a failed <c>create</c>) that keeps null collections null.</summary>
    public NodeGroup Copy()
    {
        var copy = new NodeGroup
        {
            Name = Name,
            Driver = Driver,
            Nodes = Nodes?.Select(n => n.Copy()).ToList(),
            Dynamic = Dynamic,
            LastActivity = LastActivity,
        };
        foreach (var field in AdditionalFields)
        {
            copy.AdditionalFields[field.Key] = field.Value;
        }

        return copy;
    }

    private void EnsureNotDynamic(string operation)
    {
        if (Dynamic)
        {
            throw new BuildxException(
                ErrorIds.DynamicBuilderImmutable,
                BuildxErrorKind.InvalidOperation,
                $"dynamic node group does not support {operation}",
                Name);
        }
    }

    // As buildx: the endpoint may appear once in the group, and the changed node's platforms
    // are removed from every other node (which leaves those lists non-null, as Go's filter does).
    private void ValidateDuplicates(string endpoint, int changedIndex)
    {
        var nodes = Nodes!;
        if (nodes.Count(n => string.Equals(n.Endpoint, endpoint, StringComparison.Ordinal)) > 1)
        {
            throw new BuildxException(
                ErrorIds.DuplicateEndpoint,
                BuildxErrorKind.InvalidArgument,
                $"invalid duplicate endpoint {endpoint}",
                endpoint);
        }

        var taken = new HashSet<string>(
            (nodes[changedIndex].Platforms ?? []).Select(PlatformSpecifier.Format),
            StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            if (i == changedIndex)
            {
                continue;
            }

            nodes[i].Platforms = (nodes[i].Platforms ?? [])
                .Where(p => !taken.Contains(PlatformSpecifier.Format(p)))
                .ToList();
        }
    }
}
