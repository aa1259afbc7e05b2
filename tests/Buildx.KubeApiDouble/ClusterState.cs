using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Buildx.KubeApiDouble;

/// <summary>
/// The double's cluster: stored objects, plus what the controllers and the scheduler would do to
/// them. A Deployment or StatefulSet gets pods named as the real controllers name them; a pod is
/// scheduled onto a node whose labels satisfy its nodeSelector and turns Ready shortly after, or
/// stays Pending with a FailedScheduling event when no node fits.
/// </summary>
public sealed class ClusterState
{
    private const string HashAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly object gate = new();
    private readonly Dictionary<(string Plural, string Namespace, string Name), JsonObject> objects = [];
    private readonly HashSet<string> namespaces = ["default"];
    private readonly List<SimulatedNode> nodes = [SimulatedNode.Linux("double-node-amd64", "amd64")];
    private readonly Dictionary<string, List<CancellationTokenSource>> execsByPod = [];
    private readonly Dictionary<string, int> execCounts = [];
    private long resourceVersion = 1000;

    /// <summary>How long a scheduled pod takes to become Ready.</summary>
    public TimeSpan ReadyDelay { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>The Kubernetes version /version reports, as major.minor.</summary>
    public string ServerVersion { get; set; } = "1.30";

    /// <summary>Test knob: keeps every new pod Pending, as an unschedulable cluster would.</summary>
    public bool HoldPodsPending { get; set; }

    /// <summary>Every write request (method, path), for asserting that nothing was touched.</summary>
    public IReadOnlyList<string> Writes
    {
        get
        {
            lock (gate)
            {
                return [.. writes];
            }
        }
    }

    private readonly List<string> writes = [];

    public void AddNamespace(string name)
    {
        lock (gate)
        {
            namespaces.Add(name);
        }
    }

    public void AddNode(SimulatedNode node)
    {
        lock (gate)
        {
            nodes.Add(node);
        }
    }

    public JsonObject? Get(ResourceKind kind, string ns, string name)
    {
        lock (gate)
        {
            return objects.TryGetValue((kind.Plural, ns, name), out var found) ? (JsonObject)found.DeepClone() : null;
        }
    }

    public IReadOnlyList<JsonObject> List(ResourceKind kind, string? ns = null, string? labelSelector = null, string? fieldSelector = null)
    {
        var labels = LabelSelector.Parse(labelSelector);
        var fields = LabelSelector.Parse(fieldSelector);
        lock (gate)
        {
            return objects
                .Where(pair => pair.Key.Plural == kind.Plural && (ns is null || pair.Key.Namespace == ns))
                .Select(pair => pair.Value)
                .Where(item => labels.Matches(key => (string?)item["metadata"]?["labels"]?[key]))
                .Where(item => fields.Matches(path => FieldValue(item, path)))
                .OrderBy(item => (string?)item["metadata"]!["name"], StringComparer.Ordinal)
                .Select(item => (JsonObject)item.DeepClone())
                .ToList();
        }
    }

    public JsonObject Create(ResourceKind kind, string ns, JsonObject body)
    {
        ObjectValidation.Validate(kind, ns, body, urlName: null);
        lock (gate)
        {
            EnsureNamespace(ns);
            var name = (string)body["metadata"]!["name"]!;
            if (objects.ContainsKey((kind.Plural, ns, name)))
            {
                throw ApiError.AlreadyExists(kind, name);
            }

            writes.Add($"POST {kind.Plural}/{ns}/{name}");
            var stored = (JsonObject)body.DeepClone();
            var metadata = (JsonObject)stored["metadata"]!;
            metadata["namespace"] = ns;
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["resourceVersion"] = NextVersion();
            metadata["creationTimestamp"] = Now();
            if (kind == ResourceKind.Deployments || kind == ResourceKind.StatefulSets)
            {
                metadata["generation"] = 1;
                stored["status"] = new JsonObject();
            }

            objects[(kind.Plural, ns, name)] = stored;
            if (kind == ResourceKind.Deployments || kind == ResourceKind.StatefulSets)
            {
                Reconcile(kind, ns, name);
            }

            return (JsonObject)stored.DeepClone();
        }
    }

    public JsonObject Replace(ResourceKind kind, string ns, string name, JsonObject body)
    {
        ObjectValidation.Validate(kind, ns, body, urlName: name);
        lock (gate)
        {
            if (!objects.TryGetValue((kind.Plural, ns, name), out var existing))
            {
                throw ApiError.NotFound(kind, name);
            }

            if ((string?)body["metadata"]?["resourceVersion"] is { Length: > 0 } version && version != (string?)existing["metadata"]!["resourceVersion"])
            {
                throw new ApiError(409, "Conflict", $"Operation cannot be fulfilled on {kind.QualifiedName} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
            }

            writes.Add($"PUT {kind.Plural}/{ns}/{name}");
            var stored = (JsonObject)body.DeepClone();
            var metadata = (JsonObject)stored["metadata"]!;
            foreach (var kept in new[] { "uid", "creationTimestamp" })
            {
                metadata[kept] = existing["metadata"]![kept]?.DeepClone();
            }

            metadata["namespace"] = ns;
            metadata["resourceVersion"] = NextVersion();
            if (kind == ResourceKind.Deployments || kind == ResourceKind.StatefulSets)
            {
                var specChanged = !JsonNode.DeepEquals(existing["spec"], stored["spec"]);
                metadata["generation"] = Number(existing["metadata"]!["generation"]) + (specChanged ? 1 : 0);
                stored["status"] = existing["status"]?.DeepClone() ?? new JsonObject();
            }

            objects[(kind.Plural, ns, name)] = stored;
            if (kind == ResourceKind.Deployments || kind == ResourceKind.StatefulSets)
            {
                Reconcile(kind, ns, name);
            }

            return (JsonObject)stored.DeepClone();
        }
    }

    public JsonObject Delete(ResourceKind kind, string ns, string name)
    {
        lock (gate)
        {
            if (!objects.Remove((kind.Plural, ns, name), out var removed))
            {
                throw ApiError.NotFound(kind, name);
            }

            writes.Add($"DELETE {kind.Plural}/{ns}/{name}");
            var uid = (string?)removed["metadata"]!["uid"];
            if (kind == ResourceKind.Pods)
            {
                StopExecs(uid!);
                if (OwnerWorkload(removed) is { } owner)
                {
                    Reconcile(owner.Kind, ns, owner.Name);
                }

                return removed;
            }

            if (kind == ResourceKind.Deployments || kind == ResourceKind.StatefulSets)
            {
                // Background propagation: the garbage collector removes the pods.
                foreach (var pod in OwnedPods(ns, name, kind))
                {
                    objects.Remove((ResourceKind.Pods.Plural, ns, (string)pod["metadata"]!["name"]!));
                    StopExecs((string)pod["metadata"]!["uid"]!);
                }
            }

            return new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Success",
                ["details"] = new JsonObject { ["name"] = name, ["group"] = kind.Group.Length > 0 ? kind.Group : null, ["kind"] = kind.Plural, ["uid"] = uid },
            };
        }
    }

    /// <summary>Test knob: the pod dies (its execs break off); its controller makes a replacement with a new name.</summary>
    public void KillPod(string ns, string name) => Delete(ResourceKind.Pods, ns, name);

    /// <summary>How many execs each pod has served, by pod name.</summary>
    public IReadOnlyDictionary<string, int> ExecCounts
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, int>(execCounts);
            }
        }
    }

    /// <summary>Registers a running exec; killing the pod cancels it. Null when the pod cannot exec.</summary>
    internal (JsonObject Pod, CancellationTokenSource Cancel)? BeginExec(string ns, string name, string? container)
    {
        lock (gate)
        {
            if (!objects.TryGetValue((ResourceKind.Pods.Plural, ns, name), out var pod))
            {
                throw ApiError.NotFound(ResourceKind.Pods, name);
            }

            if ((string?)pod["status"]?["phase"] != "Running")
            {
                throw ApiError.BadRequest($"pod {name} does not have a host assigned");
            }

            var containers = ((JsonArray)pod["spec"]!["containers"]!).Select(c => (string)c!["name"]!).ToList();
            if (container is null && containers.Count > 1)
            {
                throw ApiError.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]");
            }

            if (container is not null && !containers.Contains(container))
            {
                throw ApiError.BadRequest($"container {container} is not valid for pod {name}");
            }

            var uid = (string)pod["metadata"]!["uid"]!;
            var cancel = new CancellationTokenSource();
            if (!execsByPod.TryGetValue(uid, out var list))
            {
                execsByPod[uid] = list = [];
            }

            list.Add(cancel);
            execCounts[name] = execCounts.GetValueOrDefault(name) + 1;
            return ((JsonObject)pod.DeepClone(), cancel);
        }
    }

    internal void EndExec(string podUid, CancellationTokenSource cancel)
    {
        lock (gate)
        {
            if (execsByPod.TryGetValue(podUid, out var list))
            {
                list.Remove(cancel);
            }
        }
    }

    private void StopExecs(string podUid)
    {
        if (execsByPod.Remove(podUid, out var list))
        {
            foreach (var cancel in list)
            {
                cancel.Cancel();
            }
        }
    }

    private void EnsureNamespace(string ns)
    {
        if (!namespaces.Contains(ns))
        {
            throw new ApiError(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });
        }
    }

    /// <summary>The controller: as many pods as replicas, from the current template; then the status.</summary>
    private void Reconcile(ResourceKind kind, string ns, string name)
    {
        if (!objects.TryGetValue((kind.Plural, ns, name), out var workload))
        {
            return;
        }

        var spec = (JsonObject)workload["spec"]!;
        var replicas = spec["replicas"] is JsonValue value ? (int)Number(value) : 1;
        var template = (JsonObject)spec["template"]!;
        var templateHash = TemplateHash(template);
        var pods = OwnedPods(ns, name, kind);

        // A changed template replaces the pods (a rollout, done at once).
        foreach (var stale in pods.Where(pod => (string?)pod["metadata"]!["labels"]?[HashLabel(kind)] != templateHash).ToList())
        {
            objects.Remove((ResourceKind.Pods.Plural, ns, (string)stale["metadata"]!["name"]!));
            StopExecs((string)stale["metadata"]!["uid"]!);
            pods.Remove(stale);
        }

        foreach (var extra in pods.Skip(replicas).ToList())
        {
            objects.Remove((ResourceKind.Pods.Plural, ns, (string)extra["metadata"]!["name"]!));
            StopExecs((string)extra["metadata"]!["uid"]!);
        }

        for (var index = pods.Count; index < replicas; index++)
        {
            var podName = kind == ResourceKind.StatefulSets
                ? $"{name}-{Enumerable.Range(0, replicas).First(ordinal => !objects.ContainsKey((ResourceKind.Pods.Plural, ns, $"{name}-{ordinal}")))}"
                : $"{name}-{templateHash}-{RandomSuffix()}";
            CreatePod(kind, ns, workload, template, templateHash, podName);
        }

        UpdateStatus(kind, ns, name);
    }

    private void CreatePod(ResourceKind ownerKind, string ns, JsonObject owner, JsonObject template, string templateHash, string podName)
    {
        var metadata = (JsonObject?)template["metadata"]?.DeepClone() ?? [];
        var labels = metadata["labels"] as JsonObject ?? [];
        labels[HashLabel(ownerKind)] = templateHash;
        if (ownerKind == ResourceKind.StatefulSets)
        {
            labels["statefulset.kubernetes.io/pod-name"] = podName;
        }

        metadata["labels"] = labels;
        metadata["name"] = podName;
        metadata["namespace"] = ns;
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["resourceVersion"] = NextVersion();
        metadata["creationTimestamp"] = Now();
        var ownerName = (string)owner["metadata"]!["name"]!;
        metadata["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = ownerKind == ResourceKind.StatefulSets ? "StatefulSet" : "ReplicaSet",
            ["name"] = ownerKind == ResourceKind.StatefulSets ? ownerName : $"{ownerName}-{templateHash}",
            ["uid"] = (string?)owner["metadata"]!["uid"],
            ["controller"] = true,
            ["blockOwnerDeletion"] = true,
        });
        var pod = new JsonObject
        {
            ["kind"] = "Pod",
            ["apiVersion"] = "v1",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]!.DeepClone(),
            ["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" },
        };
        objects[(ResourceKind.Pods.Plural, ns, podName)] = pod;

        var node = HoldPodsPending ? null : nodes.FirstOrDefault(candidate => Fits(candidate, pod));
        if (node is null)
        {
            var message = HoldPodsPending
                ? $"0/{nodes.Count} nodes are available: {nodes.Count} Insufficient cpu. preemption: 0/{nodes.Count} nodes are available: {nodes.Count} No preemption victims found for incoming pod."
                : $"0/{nodes.Count} nodes are available: {nodes.Count} node(s) didn't match Pod's node affinity/selector. preemption: 0/{nodes.Count} nodes are available: {nodes.Count} Preemption is not helpful for scheduling.";
            pod["status"]!["conditions"] = new JsonArray(Condition("PodScheduled", "False", "Unschedulable", message));
            AddEvent(ns, pod, "Warning", "FailedScheduling", message, "default-scheduler");
            return;
        }

        pod["spec"]!["nodeName"] = node.Name;
        pod["status"]!["conditions"] = new JsonArray(Condition("PodScheduled", "True", null, null));
        AddEvent(ns, pod, "Normal", "Scheduled", $"Successfully assigned {ns}/{podName} to {node.Name}", "default-scheduler");
        var uid = (string)metadata["uid"]!;
        _ = BecomeReadyLaterAsync(ownerKind, ns, ownerName, podName, uid, node.Name);
    }

    private async Task BecomeReadyLaterAsync(ResourceKind ownerKind, string ns, string ownerName, string podName, string uid, string nodeName)
    {
        await Task.Delay(ReadyDelay).ConfigureAwait(false);
        lock (gate)
        {
            if (!objects.TryGetValue((ResourceKind.Pods.Plural, ns, podName), out var pod) || (string?)pod["metadata"]!["uid"] != uid)
            {
                return;
            }

            var started = Now();
            var status = (JsonObject)pod["status"]!;
            status["phase"] = "Running";
            status["hostIP"] = "10.0.0.1";
            status["podIP"] = $"10.244.0.{Random.Shared.Next(2, 250)}";
            status["startTime"] = started;
            status["conditions"] = new JsonArray(
                Condition("Initialized", "True", null, null),
                Condition("Ready", "True", null, null),
                Condition("ContainersReady", "True", null, null),
                Condition("PodScheduled", "True", null, null));
            status["containerStatuses"] = new JsonArray(((JsonArray)pod["spec"]!["containers"]!).Select(container => (JsonNode)new JsonObject
            {
                ["name"] = (string?)container!["name"],
                ["image"] = (string?)container["image"],
                ["imageID"] = string.Empty,
                ["ready"] = true,
                ["started"] = true,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = started } },
            }).ToArray());
            pod["metadata"]!["resourceVersion"] = NextVersion();
            AddEvent(ns, pod, "Normal", "Started", $"Started container on {nodeName}", "kubelet");
            UpdateStatus(ownerKind, ns, ownerName);
        }
    }

    private void UpdateStatus(ResourceKind kind, string ns, string name)
    {
        if (!objects.TryGetValue((kind.Plural, ns, name), out var workload))
        {
            return;
        }

        var pods = OwnedPods(ns, name, kind);
        var ready = pods.Count(pod => (string?)pod["status"]?["phase"] == "Running");
        var status = new JsonObject
        {
            ["observedGeneration"] = Number(workload["metadata"]!["generation"]),
            ["replicas"] = pods.Count,
            ["updatedReplicas"] = pods.Count,
        };

        // As the real API: zero counts are omitted (omitempty).
        if (ready > 0)
        {
            status["readyReplicas"] = ready;
            status["availableReplicas"] = ready;
        }

        if (pods.Count - ready > 0 && kind == ResourceKind.Deployments)
        {
            status["unavailableReplicas"] = pods.Count - ready;
        }

        if (kind == ResourceKind.StatefulSets)
        {
            status["currentReplicas"] = pods.Count;
        }

        workload["status"] = status;
        workload["metadata"]!["resourceVersion"] = NextVersion();
    }

    private List<JsonObject> OwnedPods(string ns, string ownerName, ResourceKind ownerKind) => objects
        .Where(pair => pair.Key.Plural == ResourceKind.Pods.Plural && pair.Key.Namespace == ns)
        .Select(pair => pair.Value)
        .Where(pod => OwnerWorkload(pod) is { } owner && owner.Kind == ownerKind && owner.Name == ownerName)
        .OrderBy(pod => (string?)pod["metadata"]!["creationTimestamp"], StringComparer.Ordinal)
        .ToList();

    private static (ResourceKind Kind, string Name)? OwnerWorkload(JsonObject pod)
    {
        var owner = pod["metadata"]?["ownerReferences"]?[0];
        var name = (string?)owner?["name"];
        return (string?)owner?["kind"] switch
        {
            "StatefulSet" when name is not null => (ResourceKind.StatefulSets, name),
            "ReplicaSet" when name is not null => (ResourceKind.Deployments, name[..name.LastIndexOf('-')]),
            _ => null,
        };
    }

    private static bool Fits(SimulatedNode node, JsonObject pod) =>
        (pod["spec"]?["nodeSelector"] as JsonObject ?? []).All(pair => node.Labels.TryGetValue(pair.Key, out var value) && value == (string?)pair.Value);

    private void AddEvent(string ns, JsonObject pod, string type, string reason, string message, string component)
    {
        var podName = (string)pod["metadata"]!["name"]!;
        var name = $"{podName}.{RandomNumberGenerator.GetHexString(16, lowercase: true)}";
        objects[(ResourceKind.Events.Plural, ns, name)] = new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = Guid.NewGuid().ToString(), ["resourceVersion"] = NextVersion(), ["creationTimestamp"] = Now() },
            ["involvedObject"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = ns, ["name"] = podName, ["uid"] = (string?)pod["metadata"]!["uid"], ["apiVersion"] = "v1" },
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = component },
            ["firstTimestamp"] = Now(),
            ["lastTimestamp"] = Now(),
            ["count"] = 1,
            ["type"] = type,
        };
    }

    private static JsonObject Condition(string type, string status, string? reason, string? message)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = status, ["lastProbeTime"] = null, ["lastTransitionTime"] = Now() };
        if (reason is not null)
        {
            condition["reason"] = reason;
            condition["message"] = message;
        }

        return condition;
    }

    private static string? FieldValue(JsonObject item, string path)
    {
        JsonNode? node = item;
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        return node is JsonValue value ? value.ToString() : null;
    }

    private static string HashLabel(ResourceKind kind) => kind == ResourceKind.StatefulSets ? "controller-revision-hash" : "pod-template-hash";

    /// <summary>A stable 10-character hash of the template, spelled as the controller spells pod-template-hash.</summary>
    private static string TemplateHash(JsonObject template)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString()));
        return new string(digest.Take(10).Select(b => HashAlphabet[b % HashAlphabet.Length]).ToArray());
    }

    private static string RandomSuffix() => new(Enumerable.Range(0, 5).Select(_ => HashAlphabet[Random.Shared.Next(HashAlphabet.Length)]).ToArray());

    private string NextVersion() => (++resourceVersion).ToString(CultureInfo.InvariantCulture);

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>A JSON number whether it was parsed (any width) or set from C# (an int).</summary>
    private static long Number(JsonNode? node) => long.Parse(node?.ToJsonString() ?? "0", CultureInfo.InvariantCulture);
}
